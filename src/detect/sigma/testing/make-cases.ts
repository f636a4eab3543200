/**
 * Writes one positive and one negative case per SigmaHQ web/proxy rule (detect/sigma, tests):
 * `node --import tsx src/detect/sigma/testing/make-cases.ts [rules-dir]` regenerates
 * src/detect/sigma/fixtures/sigmahq-cases/<rule id>.json. Run once; the output is committed
 * and reviewed like any fixture. Files marked `"handWritten": true` are never overwritten.
 *
 * How a case is derived, from the rule's YAML (not from the compiled matcher):
 * - the condition is solved for a set of selections that must hold and a set that must not;
 * - each selection that must hold gives the Sigma fields it names a value that satisfies the
 *   field's modifier (contains parts concatenated, startswith first, endswith last; `re` values
 *   come from the hand-written REGEX_EXAMPLES table; `null` leaves the field out);
 * - the Sigma fields are written back into a SecurityEvent through the inverse of the field map
 *   (cs-uri-stem + cs-uri-query make http.path, c-useragent is client.userAgent, ...);
 * - the negative case is the positive event with ONE field the rule needs replaced by a benign
 *   value; the field and both values are recorded in `negativeChange`.
 * Both events are checked against the engine; a rule whose cases cannot be derived is listed
 * and the script exits non-zero, to be written by hand.
 */
import { mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { parse as parseYaml } from 'yaml';
import type { SecurityEvent } from '../../../core/records/security-event.js';
import { parseCondition } from '../condition.js';
import type { ConditionNode } from '../condition.js';
import { createSigmaEngine } from '../engine.js';
import { loadSigmaRules } from '../load.js';
import { parseWildcards } from '../wildcard.js';

const here = import.meta.dirname;
const rulesDir = process.argv[2] ?? join(here, '../../../../../shared/reference/sigma-web-rules');
const outDir = join(here, '../fixtures/sigmahq-cases');

/** A string each `re` pattern of the SigmaHQ web set matches, written by hand. */
const REGEX_EXAMPLES: Record<string, string> = {
  '\\?d=[0-9]{1,3}\\.[0-9]{1,3}\\.[0-9]{1,3}\\.[0-9]{1,3}': '/files/report.htm?d=10.20.30.40',
  '\\.(zip|asp|htm|url|xml|chm|mht|vbs|search-ms)\\?d=[0-9]{1,3}\\.[0-9]{1,3}\\.[0-9]{1,3}\\.[0-9]{1,3}':
    '/files/invoice.zip?d=10.20.30.40',
  '.{150}': `${'a'.repeat(150)}.example`,
  '-[a-z0-9]{3}\\.[a-z0-9-]{3,}-s-account\\.workers\\.dev|\\.up\\.railway\\.app':
    'https://login-abc.tenant-s-account.workers.dev/common/oauth2',
  '(?i)(ipfs\\.io/|ipfs\\.io\\s).+\\..+@.+\\.[a-z]+': 'https://ipfs.io/ipfs/bafy.html#victim@example.com',
};

/** Benign values for the negative case, two per field in case the first is what the rule wants. */
const BENIGN: Record<string, [string, string]> = {
  method: ['HEAD', 'OPTIONS'],
  stem: ['/catalog/shoes', '/account/orders'],
  query: ['page=2', 'sort=price'],
  full: ['/catalog/shoes?page=2', '/account/orders'],
  ext: ['html', 'css'],
  ua: ['Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0', 'curl/8.5.0'],
  status: ['204', '304'],
  host: ['shop.example', 'www.shop.example'],
  referer: ['https://shop.example/', 'https://www.shop.example/cart'],
  cookie: ['theme=dark', 'lang=en'],
  contentType: ['application/json', 'text/plain'],
  user: ['alice', 'bob'],
  clientIp: ['198.51.100.23', '192.0.2.200'],
  dstIp: ['93.184.216.34', '198.51.100.80'],
  keywords: ['', ''],
};

/** Sigma field -> the part of our event it lives in (the inverse of DEFAULT_FIELD_MAP). */
const PART: Record<string, string> = {
  'cs-method': 'method',
  'cs-uri-stem': 'stem',
  'c-uri-stem': 'stem',
  'cs-uri-query': 'query',
  'c-uri-query': 'query',
  'cs-uri': 'full',
  'c-uri': 'full',
  'c-uri-extension': 'ext',
  'c-useragent': 'ua',
  'cs-user-agent': 'ua',
  'sc-status': 'status',
  'cs-host': 'host',
  'r-dns': 'host',
  'cs-referer': 'referer',
  'cs-cookie': 'cookie',
  'cs-content-type': 'contentType',
  'cs-username': 'user',
  'c-ip': 'clientIp',
  dst_ip: 'dstIp',
  '': 'keywords',
};

interface Want {
  equals?: string;
  starts: string[];
  contains: string[];
  ends: string[];
  absent: boolean;
}

type Wants = Map<string, Want>;

function want(wants: Wants, part: string): Want {
  let w = wants.get(part);
  if (!w) wants.set(part, (w = { starts: [], contains: [], ends: [], absent: false }));
  return w;
}

/** The value's text with escapes resolved; `*` becomes nothing, `?` one letter. */
function sample(value: unknown): string {
  return parseWildcards(String(value))
    .map((t) => (t.kind === 'literal' ? t.text : t.kind === 'one' ? 'a' : ''))
    .join('');
}

function cidrSample(cidr: string): string {
  const [network = ''] = cidr.split('/');
  return network.includes(':')
    ? `${network.replace(/::$/, '::')}1`.replace(':::', '::')
    : network.replace(/\.0$/, '.1');
}

/** Adds what one `field|modifiers: value(s)` entry needs to be true. */
function addConstraint(wants: Wants, key: string, raw: unknown, keywordsAreLog: boolean): void {
  const [field = '', ...modifiers] = key.split('|');
  const part = field === '' && keywordsAreLog ? 'logLine' : PART[field];
  if (!part) throw new Error(`no inverse mapping for field '${field}'`);
  const values = Array.isArray(raw) ? raw : [raw];
  const chosen = modifiers.includes('all') ? values : values.slice(0, 1);
  const w = want(wants, part);
  for (const value of chosen) {
    if (value === null) {
      w.absent = true;
    } else if (modifiers.includes('re')) {
      const example = REGEX_EXAMPLES[String(value)];
      if (example === undefined) throw new Error(`no example for regex ${String(value)}`);
      w.equals = example;
    } else if (modifiers.includes('cidr')) {
      w.equals = cidrSample(String(value));
    } else if (modifiers.includes('startswith')) w.starts.push(sample(value));
    else if (modifiers.includes('endswith')) w.ends.push(sample(value));
    else if (modifiers.includes('contains') || field === '') w.contains.push(sample(value));
    else w.equals = sample(value);
  }
}

function compose(w: Want | undefined): string | undefined {
  if (!w || w.absent) return undefined;
  if (w.equals !== undefined) return w.equals;
  return [w.starts[0] ?? '', w.contains.join(w.contains.length > 1 ? '/' : ''), ...w.ends.slice(0, 1)].join(
    '',
  );
}

function eventId(n: number): string {
  return `evt_01KA${String(n).padStart(22, '0')}`;
}

/** A SecurityEvent whose Sigma fields have the wanted values. */
function buildEvent(wants: Wants, n: number, logService: string | null): SecurityEvent {
  const text = (part: string): string | undefined => compose(wants.get(part));
  const time = new Date(Date.UTC(2026, 0, 1, 12, 0, n % 60)).toISOString();
  const labels: Record<string, string> = {};
  const setLabel = (name: string, part: string): void => {
    const value = text(part);
    if (value !== undefined) labels[name] = value;
  };
  setLabel('referer', 'referer');
  setLabel('cookie', 'cookie');
  setLabel('content-type', 'contentType');
  setLabel('user', 'user');
  setLabel('dst_ip', 'dstIp');
  if (logService) {
    return {
      id: eventId(n),
      time,
      kind: 'log',
      source: { type: logService, name: `${logService}-error-log` },
      severity: 'info',
      log: {
        line: `[${time}] [core:error] [pid 4242] ${text('logLine') ?? 'server started'}`,
        format: `${logService}_error`,
      },
      labels,
    };
  }
  const absolute = (value: string): string =>
    value.startsWith('/') || /^[a-z]+:/i.test(value) ? value : `/${value}`;
  let path: string;
  const stem = text('stem');
  const query = text('query');
  const full = text('full');
  const ext = text('ext');
  if (full !== undefined && stem === undefined && query === undefined && ext === undefined) {
    path =
      wants.get('full')?.equals !== undefined || wants.get('full')?.starts.length ? full : absolute(full);
  } else {
    let base = stem !== undefined ? absolute(stem) : '/download/file';
    if (ext !== undefined && !base.toLowerCase().endsWith(`.${ext.toLowerCase()}`)) base += `.${ext}`;
    const params = [query, full].filter((p): p is string => p !== undefined && p !== '');
    path = params.length > 0 ? `${base}?${params.join('&')}` : base;
  }
  const keywords = text('keywords');
  const ua = text('ua');
  const uaAbsent = wants.get('ua')?.absent === true;
  const userAgent = [ua ?? (uaAbsent ? undefined : BENIGN['ua']![0]), keywords]
    .filter((p) => p !== undefined && p !== '')
    .join(' ');
  const status = text('status');
  const event: SecurityEvent = {
    id: eventId(n),
    time,
    kind: 'http',
    source: { type: 'gateway', name: 'gateway' },
    severity: 'info',
    client: { ip: text('clientIp') ?? '203.0.113.7' },
    http: {
      requestId: `req-${n}`,
      method: text('method') ?? 'GET',
      path,
      status: status !== undefined && /^\d+$/.test(status) ? Number(status) : 200,
      requestBytes: 312,
      responseBytes: 5120,
      latencyMs: 12,
      outcome: 'forwarded',
    },
    labels,
  };
  if (userAgent !== '') event.client!.userAgent = userAgent;
  const host = text('host');
  event.http!.host = host ?? (wants.get('host')?.absent ? undefined : 'shop.example');
  if (event.http!.host === undefined) delete event.http!.host;
  return event;
}

type Selections = Record<string, unknown>;

/** Sets of selections that must hold (pos) and must not (neg) for the condition to be `wanted`. */
function solve(
  node: ConditionNode,
  wanted: boolean,
  names: string[],
): Array<{ pos: string[]; neg: string[] }> {
  const cap = <T>(list: T[]): T[] => list.slice(0, 24);
  const product = (parts: Array<Array<{ pos: string[]; neg: string[] }>>) =>
    cap(
      parts.reduce<Array<{ pos: string[]; neg: string[] }>>(
        (acc, options) =>
          acc.flatMap((a) => options.map((o) => ({ pos: [...a.pos, ...o.pos], neg: [...a.neg, ...o.neg] }))),
        [{ pos: [], neg: [] }],
      ),
    );
  switch (node.type) {
    case 'ref':
      return [wanted ? { pos: [node.name], neg: [] } : { pos: [], neg: [node.name] }];
    case 'not':
      return solve(node.item, !wanted, names);
    case 'and':
      return wanted
        ? product(node.items.map((i) => solve(i, true, names)))
        : cap(node.items.flatMap((i) => solve(i, false, names)));
    case 'or':
      return wanted
        ? cap(node.items.flatMap((i) => solve(i, true, names)))
        : product(node.items.map((i) => solve(i, false, names)));
    case 'of': {
      const pattern =
        node.pattern === 'them'
          ? /^[^_]/
          : new RegExp(
              `^${node.pattern
                .split('*')
                .map((p) => p.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
                .join('.*')}$`,
            );
      const refs: ConditionNode[] = names
        .filter((n) => pattern.test(n))
        .map((name) => ({ type: 'ref', name }));
      const all = node.quantifier === 'all';
      return solve({ type: all === wanted ? 'and' : 'or', items: refs }, wanted, names);
    }
  }
}

function alternativesOf(body: unknown): Array<Record<string, unknown>> {
  if (Array.isArray(body) && body.every((item) => typeof item === 'object' && item !== null))
    return body as Array<Record<string, unknown>>;
  if (typeof body === 'object' && body !== null && !Array.isArray(body))
    return [body as Record<string, unknown>];
  return [{ '': body }];
}

/** Fields of a must-not selection tested for null must be present, so the selection can fail. */
function refute(wants: Wants, body: unknown, keywordsAreLog: boolean): void {
  for (const alternative of alternativesOf(body)) {
    for (const [key, value] of Object.entries(alternative)) {
      const values = Array.isArray(value) ? value : [value];
      const part = PART[key.split('|')[0] ?? ''] ?? (keywordsAreLog ? 'logLine' : undefined);
      if (part && values.includes(null) && !wants.get(part)?.equals && !wants.get(part)?.contains.length) {
        want(wants, part).equals = BENIGN[part]?.[0] ?? 'present';
      }
    }
  }
}

interface Case {
  ruleId: string;
  title: string;
  file: string;
  handWritten?: boolean;
  positive: SecurityEvent;
  negative: SecurityEvent;
  negativeChange: { field: string; from: string | null; to: string | null };
}

function readRuleDocs(file: string): Array<Record<string, unknown>> {
  return readFileSync(file, 'utf8')
    .split(/^---\s*$/m)
    .filter((part) => part.trim() !== '')
    .map((part) => parseYaml(part) as Record<string, unknown>);
}

async function main(): Promise<void> {
  const loaded = await loadSigmaRules(rulesDir);
  if (loaded.problems.length > 0) throw new Error(`rules with problems: ${loaded.problems.length}`);
  const engine = createSigmaEngine(loaded.rules);
  mkdirSync(outDir, { recursive: true });
  const existing = new Set(readdirSync(outDir));
  const failures: string[] = [];
  let n = 0;
  for (const rule of loaded.rules) {
    const fileName = `${rule.id}.json`;
    if (existing.has(fileName)) {
      const previous = JSON.parse(readFileSync(join(outDir, fileName), 'utf8')) as Case;
      if (previous.handWritten) continue;
    }
    const doc = readRuleDocs(rule.file)[rule.document - 1]!;
    const detection = doc['detection'] as Selections;
    const names = Object.keys(detection).filter((k) => k !== 'condition');
    const logService = rule.logsource.category === undefined ? (rule.logsource.service ?? null) : null;
    const matches = (event: SecurityEvent): boolean =>
      engine.evaluate(event).some((m) => m.ruleId === rule.id);
    let written = false;
    for (const candidate of solve(parseCondition(String(detection['condition'])), true, names)) {
      const choices = candidate.pos.map((name) => alternativesOf(detection[name]));
      for (let alt = 0; alt < Math.max(1, ...choices.map((c) => c.length)) && !written; alt++) {
        const wants: Wants = new Map();
        try {
          candidate.pos.forEach((name, i) => {
            const options = choices[i]!;
            for (const [key, value] of Object.entries(options[Math.min(alt, options.length - 1)]!)) {
              addConstraint(wants, key, value, logService !== null);
            }
          });
          for (const name of candidate.neg) refute(wants, detection[name], logService !== null);
        } catch (error) {
          failures.push(`${rule.id} ${rule.title}: ${(error as Error).message}`);
          written = true; // reported; do not retry
          break;
        }
        const positive = buildEvent(wants, ++n, logService);
        if (!matches(positive)) continue;
        // the negative: one needed field set to a benign value, the rule's own content first
        const parts = [...wants.keys()].sort(
          (a, b) => Number(a === 'method' || a === 'status') - Number(b === 'method' || b === 'status'),
        );
        for (const part of parts) {
          if (wants.get(part)!.absent) continue;
          for (const benign of BENIGN[part] ?? ['benign log line', 'server started']) {
            const changed: Wants = new Map(wants);
            changed.set(part, { starts: [], contains: [], ends: [], absent: false, equals: benign });
            if (part === 'keywords' || part === 'logLine') changed.delete(part);
            const negative = buildEvent(changed, n, logService);
            negative.id = eventId(++n);
            if (matches(negative)) continue;
            const record: Case = {
              ruleId: rule.id,
              title: rule.title,
              file: relative(rulesDir, rule.file),
              positive,
              negative,
              negativeChange: {
                field: part,
                from: compose(wants.get(part)) ?? null,
                to: part === 'keywords' || part === 'logLine' ? null : benign,
              },
            };
            writeFileSync(join(outDir, fileName), `${JSON.stringify(record, null, 2)}\n`);
            written = true;
            break;
          }
          if (written) break;
        }
      }
      if (written) break;
    }
    if (!written) failures.push(`${rule.id} ${rule.title}: no positive/negative pair found`);
  }
  if (failures.length > 0) {
    console.error(
      `could not derive cases for ${failures.length} rules (write them by hand, "handWritten": true):`,
    );
    for (const failure of failures) console.error(`  ${failure}`);
    process.exitCode = 1;
  }
  console.log(`cases in ${outDir}: ${readdirSync(outDir).length}`);
}

await main();
