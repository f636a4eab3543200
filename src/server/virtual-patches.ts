/**
 * Accepted virtual patches (composition root): the rules `ensuresec scan --virtual-patches`
 * proposed and an administrator accepted, kept in `<dataDir>/waf/virtual-patches.json` and
 * rendered to `<dataDir>/waf/virtual-patches.conf`, which the gateway's WAF loads after every
 * other rule file. Accepting or removing one rewrites the file and reloads the running WAF
 * (all workers, all-or-nothing) without a restart; the change is recorded in the ledger as an
 * admin action. Only rules shaped as the scanner writes them are taken: `SecRule` chains with
 * an id in 91 000-91 999, the `ensuresec/virtual-patch` tag, a finding's fingerprint tag and no
 * other directive, so an accepted file can block one route's parameter but never switch the
 * engine off or remove another rule.
 *
 * @example
 *   const patches = createVirtualPatchService({ dataDir, ledger, clock, wafReloader: () => waf.reload });
 *   await patches.accept(readFileSync('patches.conf', 'utf8'), 'usr_01…');
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Clock } from '../core/clock.js';
import { EnsuresecError } from '../core/errors.js';
import { ulid } from '../core/ids.js';
import { createWafEngine } from '../gateway/waf/engine/engine.js';
import { splitDirective, splitLogicalLines } from '../gateway/waf/seclang/lexer.js';
import { loadRuleText } from '../gateway/waf/seclang/loader.js';
import type { ActionSpec, RuleSpec } from '../gateway/waf/types.js';
import type { VirtualPatchChange } from '../ledger/kinds.js';
import type { LedgerWriter } from '../ledger/service.js';
import { VIRTUAL_PATCH_FIRST_ID, VIRTUAL_PATCH_LAST_ID } from '../scan/virtual-patches.js';

export const VIRTUAL_PATCHES_RULES_FILE = 'virtual-patches.conf';
const STATE_FILE = 'virtual-patches.json';
const TAG = 'ensuresec/virtual-patch';
const FINGERPRINT_TAG = /^ensuresec\/fingerprint\/([A-Za-z0-9_-]{1,128})$/;
/** Larger texts are not a scanner's proposal. */
export const MAX_VIRTUAL_PATCH_TEXT_BYTES = 512 * 1024;

export interface AcceptedVirtualPatch {
  ruleId: number;
  /** The finding the rule answers (its `ensuresec/fingerprint/…` tag): accepting it again replaces it. */
  fingerprint: string;
  checkId: string | null;
  /** What the rule's `msg` says, for people. */
  message: string | null;
  /** The chained SecRule lines, as loaded. */
  rule: string;
  acceptedAt: string;
  acceptedBy: string;
}

export type WafReloader = () => Promise<{ ok: true; rules: number } | { ok: false; error: string }>;

export interface VirtualPatchService {
  list(): AcceptedVirtualPatch[];
  /** Validates `text`, merges it into the accepted set, reloads the WAF, records the change. */
  accept(text: string, actor: string): Promise<{ accepted: AcceptedVirtualPatch[]; rules: number }>;
  remove(ruleId: number, actor: string): Promise<{ removed: AcceptedVirtualPatch; rules: number }>;
}

export interface VirtualPatchServiceOptions {
  /** The data directory; the files live in its `waf/` folder, next to the WAF's settings. */
  dataDir: string;
  ledger: LedgerWriter;
  clock: Clock;
  /** What reloads the running gateway's WAF; null while (or when) this server runs no WAF. */
  wafReloader(): WafReloader | null;
}

/** Where the WAF finds the accepted rules (loaded last), or undefined before anything was accepted. */
export function virtualPatchRulesFile(dataDir: string): string | undefined {
  const file = join(dataDir, 'waf', VIRTUAL_PATCHES_RULES_FILE);
  return existsSync(file) ? file : undefined;
}

interface ParsedPatch {
  ruleId: number;
  fingerprint: string;
  checkId: string | null;
  message: string | null;
  rule: string;
}

const invalid = (detail: string): EnsuresecError => new EnsuresecError('virtual_patch_invalid', { detail });

const chainLength = (rule: RuleSpec): number => (rule.chained ? 1 + chainLength(rule.chained) : 1);
const actionValues = (rule: RuleSpec, name: string): string[] =>
  rule.actions.filter((a: ActionSpec) => a.name === name).map((a) => a.param ?? '');

/** A SecLang argument in double quotes (the lexer gives `\"` back as `"`; backslashes stay as written). */
const quoted = (text: string): string => `"${text.replace(/"/g, '\\"')}"`;

/**
 * The patches of a rules file as the scanner writes them. Throws `virtual_patch_invalid`
 * naming the line and the reason for anything else.
 */
export function parseVirtualPatches(text: string, file = 'virtual-patches.conf'): ParsedPatch[] {
  if (Buffer.byteLength(text) > MAX_VIRTUAL_PATCH_TEXT_BYTES)
    throw invalid(`The text is larger than ${MAX_VIRTUAL_PATCH_TEXT_BYTES} bytes.`);
  let loaded;
  try {
    loaded = loadRuleText(text, file);
  } catch (error) {
    throw invalid(error instanceof Error ? error.message : String(error));
  }
  const lines = splitLogicalLines(text);
  const patches: ParsedPatch[] = [];
  for (const item of loaded.items) {
    const line = 'location' in item ? item.location.line : item.rule.location.line;
    if (item.kind !== 'rule' || item.rule.kind !== 'rule')
      throw invalid(`Line ${line}: only SecRule chains are accepted as virtual patches.`);
    const rule = item.rule;
    const where = `Line ${line}`;
    const id = Number(actionValues(rule, 'id')[0]);
    if (!Number.isInteger(id) || id < VIRTUAL_PATCH_FIRST_ID || id > VIRTUAL_PATCH_LAST_ID)
      throw invalid(`${where}: the rule id must be in ${VIRTUAL_PATCH_FIRST_ID}-${VIRTUAL_PATCH_LAST_ID}.`);
    const tags = actionValues(rule, 'tag');
    if (!tags.includes(TAG)) throw invalid(`${where}: the rule lacks the tag '${TAG}'.`);
    const fingerprint = tags.map((tag) => FINGERPRINT_TAG.exec(tag)?.[1]).find((f) => f !== undefined);
    if (fingerprint === undefined)
      throw invalid(`${where}: the rule lacks its finding's tag 'ensuresec/fingerprint/…'.`);
    if (!rule.actions.some((a) => a.name === 'deny') || !rule.chained)
      throw invalid(`${where}: a virtual patch is a chain that denies (route, then parameter).`);
    const start = lines.findIndex((logical) => logical.line === line);
    const own = lines.slice(start, start + chainLength(rule));
    const checkTag = tags.find(
      (tag) => tag.startsWith('ensuresec/') && tag !== TAG && !FINGERPRINT_TAG.test(tag),
    );
    patches.push({
      ruleId: id,
      fingerprint,
      checkId: checkTag ? checkTag.slice('ensuresec/'.length) : null,
      message: actionValues(rule, 'msg')[0] ?? null,
      rule: own.map((logical) => logical.text).join('\n    '),
    });
  }
  if (patches.length === 0) throw invalid('The text holds no virtual patch.');
  return patches;
}

/** The chain's first line with another id: rebuilt from its arguments, the chained lines as they were. */
function renumber(rule: string, ruleId: number, file: string): string {
  const [first = '', ...rest] = rule.split('\n');
  const directive = splitDirective({ text: first.trim(), line: 1 }, file);
  const [variables = '', operator = '', actions = ''] = directive.args;
  const renumbered = /^\s*id:\s*'?\d+'?\s*(,|$)/.test(actions)
    ? actions.replace(/^\s*id:\s*'?\d+'?/, `id:${ruleId}`)
    : actions.replace(/(^|,)\s*id:\s*'?\d+'?/, `$1id:${ruleId}`);
  return [`SecRule ${variables} ${quoted(operator)} ${quoted(renumbered)}`, ...rest].join('\n');
}

export function renderVirtualPatchRules(patches: AcceptedVirtualPatch[]): string {
  const header = [
    '# Virtual patches accepted into this gateway (generated by Ensuresec; do not edit).',
    '# Manage them with `ensuresec waf patches list|accept|remove` (docs/scanner.md#virtual-patches).',
  ];
  const body = patches.map(
    (p) =>
      `\n# ${p.checkId ?? 'patch'} (finding ${p.fingerprint}), accepted ${p.acceptedAt} by ${p.acceptedBy}\n${p.rule}`,
  );
  return [...header, ...body].join('\n') + '\n';
}

export function createVirtualPatchService(options: VirtualPatchServiceOptions): VirtualPatchService {
  const dir = join(options.dataDir, 'waf');
  const stateFile = join(dir, STATE_FILE);
  const rulesFile = join(dir, VIRTUAL_PATCHES_RULES_FILE);
  // One change at a time: each reads the set the previous one wrote.
  let queue: Promise<unknown> = Promise.resolve();
  const serialised = <T>(task: () => Promise<T>): Promise<T> => {
    const run = queue.then(task, task);
    queue = run.catch(() => undefined);
    return run;
  };

  function read(): AcceptedVirtualPatch[] {
    if (!existsSync(stateFile)) return [];
    return JSON.parse(readFileSync(stateFile, 'utf8')) as AcceptedVirtualPatch[];
  }

  function writeAtomically(file: string, text: string): void {
    const temporary = `${file}.${process.pid}.tmp`;
    writeFileSync(temporary, text, { mode: 0o600 });
    renameSync(temporary, file);
  }

  function save(patches: AcceptedVirtualPatch[]): string {
    mkdirSync(dir, { recursive: true });
    const text = renderVirtualPatchRules(patches);
    writeAtomically(rulesFile, text);
    writeAtomically(stateFile, JSON.stringify(patches, null, 2) + '\n');
    return text;
  }

  /** Writes the set, reloads the WAF and records the change; on any failure the previous set is back. */
  async function apply(
    next: AcceptedVirtualPatch[],
    changed: AcceptedVirtualPatch[],
    action: VirtualPatchChange['action'],
    actor: string,
  ): Promise<number> {
    const reloadWaf = options.wafReloader();
    if (reloadWaf === null)
      throw new EnsuresecError('waf_unavailable', {
        detail: 'This server runs no WAF (gateway off, no waf.crs, or waf.mode Off).',
      });
    const previous = read();
    const text = save(next);
    const restore = async (): Promise<void> => {
      save(previous);
      await reloadWaf();
    };
    const outcome = await reloadWaf();
    if (!outcome.ok) {
      await restore();
      throw new EnsuresecError('virtual_patch_invalid', {
        detail: `The WAF refused the rules, the previous set keeps running: ${outcome.error}`,
      });
    }
    try {
      await options.ledger.commit({
        kind: 'waf.virtual_patches_changed',
        actor,
        write: async () => ({
          id: `vpc_${ulid(options.clock.nowMs())}`,
          action,
          patches: changed.map((p) => ({ ruleId: p.ruleId, fingerprint: p.fingerprint, checkId: p.checkId })),
          sha256: createHash('sha256').update(text).digest('hex'),
          rules: outcome.rules,
        }),
      });
    } catch (error) {
      // Not on record, so not in force: an unrecorded admin action must not stay in effect.
      await restore();
      throw error;
    }
    return outcome.rules;
  }

  return {
    list: read,

    accept: (text, actor) =>
      serialised(async () => {
        const incoming = parseVirtualPatches(text);
        const current = read();
        const acceptedAt = new Date(options.clock.nowMs()).toISOString();
        const byFingerprint = new Map(current.map((p) => [p.fingerprint, p]));
        const kept = current.filter((p) => !incoming.some((i) => i.fingerprint === p.fingerprint));
        const used = new Set(kept.map((p) => p.ruleId));
        const accepted: AcceptedVirtualPatch[] = [];
        for (const patch of incoming) {
          if (accepted.some((a) => a.fingerprint === patch.fingerprint)) continue;
          // A finding accepted again keeps its id; a new one takes the first free id.
          let ruleId = byFingerprint.get(patch.fingerprint)?.ruleId ?? patch.ruleId;
          if (used.has(ruleId)) {
            ruleId = VIRTUAL_PATCH_FIRST_ID;
            while (used.has(ruleId) && ruleId <= VIRTUAL_PATCH_LAST_ID) ruleId++;
            if (ruleId > VIRTUAL_PATCH_LAST_ID)
              throw invalid('Every id of 91000-91999 is taken: remove patches whose flaw is fixed.');
          }
          used.add(ruleId);
          const rule = ruleId === patch.ruleId ? patch.rule : renumber(patch.rule, ruleId, rulesFile);
          accepted.push({ ...patch, ruleId, rule, acceptedAt, acceptedBy: actor });
        }
        const next = [...kept, ...accepted].sort((a, b) => a.ruleId - b.ruleId);
        // The whole set must load and compile before the running WAF is asked to take it.
        try {
          createWafEngine(loadRuleText(renderVirtualPatchRules(next), rulesFile));
        } catch (error) {
          throw invalid(error instanceof Error ? error.message : String(error));
        }
        const rules = await apply(next, accepted, 'accepted', actor);
        return { accepted, rules };
      }),

    remove: (ruleId, actor) =>
      serialised(async () => {
        const current = read();
        const removed = current.find((p) => p.ruleId === ruleId);
        if (!removed)
          throw new EnsuresecError('not_found', {
            detail: `No accepted virtual patch has the id ${ruleId}.`,
          });
        const rules = await apply(
          current.filter((p) => p !== removed),
          [removed],
          'removed',
          actor,
        );
        return { removed, rules };
      }),
  };
}
