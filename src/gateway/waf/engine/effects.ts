/**
 * Data and control actions of a matched rule (gateway/waf/engine): setvar (with macro
 * expansion, `+`/`-` arithmetic and `!` deletion), ctl (per-transaction engine changes and
 * rule exclusions) and initcol (opening a persistent collection).
 *
 *   SecRule ARGS "@rx x" "id:1,setvar:'tx.score=+%{tx.critical_anomaly_score}'"
 *   SecRule REQUEST_URI "@beginsWith /admin" "id:2,ctl:ruleRemoveTargetById=942100;ARGS:desc"
 */
import { parseCtlTargetRemoval } from '../seclang/actions.js';
import { compileSelectorKey } from './compile.js';
import { Collection } from './collections.js';
import { expand } from './evaluate.js';
import type { CompiledExclusion, CompiledRule, Effect } from './program.js';
import type { WafTransaction } from './transaction.js';

function toInteger(text: string | undefined): number {
  const parsed = Number.parseInt(text ?? '', 10);
  return Number.isFinite(parsed) ? parsed : 0;
}

function writableCollection(tx: WafTransaction, name: string): Collection {
  let collection = tx.collections.get(name);
  if (!collection) {
    collection = new Collection();
    tx.collections.set(name, collection);
  }
  return collection;
}

function parseIdRange(text: string): [number, number] | undefined {
  const match = /^\s*(\d+)\s*(?:-\s*(\d+))?\s*$/.exec(text);
  if (!match) return undefined;
  const from = Number(match[1]);
  return [from, match[2] === undefined ? from : Number(match[2])];
}

function targetRemoval(
  tx: WafTransaction,
  value: string,
  rule: CompiledRule,
): { selector: string; exclusions: CompiledExclusion[] } {
  const cache = tx.context.ctlTargetCache;
  let removal = cache.get(value);
  if (!removal) {
    const parsed = parseCtlTargetRemoval(value, rule.location);
    removal = {
      selector: parsed.selector,
      exclusions: parsed.targets.map((target) => ({
        collection: target.collection,
        ...compileSelectorKey(target, rule),
      })),
    };
    if (cache.size < 10_000) cache.set(value, removal);
  }
  return removal;
}

/**
 * Records a ctl target removal against every chain starter it selects, once, so rule evaluation
 * finds a rule's removals with one lookup (evaluate.ts). Each removal gets a number in the
 * transaction; `applied` lists the numbers a starter got, so rules that lost the same targets
 * still share their values.
 */
function addTargetRemoval(
  tx: WafTransaction,
  starters: readonly CompiledRule[],
  exclusions: readonly CompiledExclusion[],
): void {
  const removals = tx.controls.targetRemovals;
  const mark = `\n${tx.controls.targetRemovalCount++}`;
  for (const starter of starters) {
    const known = removals.get(starter);
    if (known) {
      known.exclusions.push(...exclusions);
      known.applied += mark;
    } else removals.set(starter, { exclusions: [...exclusions], applied: mark });
  }
}

function runCtl(tx: WafTransaction, option: string, value: string, rule: CompiledRule): void {
  const controls = tx.controls;
  const onOff = value.toLowerCase() === 'on';
  switch (option) {
    case 'ruleEngine':
      controls.ruleEngine =
        value.toLowerCase() === 'on' ? 'On' : value.toLowerCase() === 'off' ? 'Off' : 'DetectionOnly';
      return;
    case 'ruleRemoveById':
      for (const piece of value.split(/[\s,]+/)) {
        const range = parseIdRange(piece);
        if (range) controls.removedIdRanges.push(range);
      }
      return;
    case 'ruleRemoveByTag':
      controls.removedTags.add(value);
      return;
    case 'ruleRemoveTargetById': {
      const removal = targetRemoval(tx, value, rule);
      const range = parseIdRange(removal.selector);
      if (!range) return;
      const selected: CompiledRule[] = [];
      for (const phase of tx.context.program.phases) {
        for (const entry of phase.entries) {
          if (entry.kind === 'rule' && entry.rule.id >= range[0] && entry.rule.id <= range[1])
            selected.push(entry.rule);
        }
      }
      addTargetRemoval(tx, selected, removal.exclusions);
      return;
    }
    case 'ruleRemoveTargetByTag': {
      const removal = targetRemoval(tx, value, rule);
      addTargetRemoval(tx, tx.context.program.startersByTag.get(removal.selector) ?? [], removal.exclusions);
      return;
    }
    case 'requestBodyProcessor':
      controls.requestBodyProcessor = value.toUpperCase();
      return;
    case 'requestBodyAccess':
      controls.requestBodyAccess = onOff;
      return;
    case 'forceRequestBodyVariable':
      controls.forceRequestBodyVariable = onOff;
      return;
    case 'auditEngine':
      controls.auditEngine = onOff ? 'On' : value.toLowerCase() === 'off' ? 'Off' : 'RelevantOnly';
      return;
    case 'auditLogParts':
      controls.auditLogParts = value;
      return;
    default:
      return;
  }
}

export function runEffect(tx: WafTransaction, effect: Effect, rule: CompiledRule): void {
  switch (effect.kind) {
    case 'setvar': {
      const collection = writableCollection(tx, effect.collection);
      const key = expand(tx, effect.key);
      if (effect.operation === 'delete') {
        collection.delete(key);
        return;
      }
      const value = effect.value === null ? '' : expand(tx, effect.value);
      if (effect.operation === 'set') collection.set(key, value);
      else {
        const delta = toInteger(value) * (effect.operation === 'increment' ? 1 : -1);
        collection.set(key, String(toInteger(collection.first(key)) + delta));
      }
      return;
    }
    case 'ctl':
      try {
        runCtl(tx, effect.option, expand(tx, effect.value), rule);
      } catch {
        // A ctl whose macro expanded to something invalid cannot apply; the rule still counts.
      }
      return;
    case 'initcol': {
      const key = expand(tx, effect.key);
      if (tx.initcolKeys.get(effect.collection) === key) return;
      const stored = tx.context.persistent.load(effect.collection, key) ?? {};
      tx.collections.set(effect.collection, Collection.fromRecord(stored));
      tx.initcolKeys.set(effect.collection, key);
      return;
    }
  }
}
