/**
 * Rule evaluation (gateway/waf/engine, per request): runs one phase's program over a
 * transaction. For each rule: resolve its targets, transform each value through the rule's
 * prebuilt pipeline (cached per transaction by pipeline and value), run the operator, and on a
 * match update MATCHED_VAR(S) and run setvar; a chain matches when every link does; then
 * ctl/initcol, the log entry and the disruptive action; then flow (skip, skipAfter).
 */
import { cachedMacro } from './context.js';
import { runEffect } from './effects.js';
import { expandMacro } from './macro.js';
import { describeMatch, logSafe } from './results.js';
import { resolveTarget, type TargetValue } from './variables.js';
import type {
  CompiledExclusion,
  CompiledRule,
  DisruptiveAction,
  Macro,
  MacroReference,
  Phase,
} from './program.js';
import type { OperatorContext } from '../types.js';
import type { WafTransaction } from './transaction.js';

/** The value of a macro reference in this transaction. */
export function resolveReference(tx: WafTransaction, reference: MacroReference): string {
  const { collection, key } = reference;
  if (collection === 'RULE') {
    const rule = tx.currentRule;
    if (!rule) return '';
    switch ((key ?? '').toLowerCase()) {
      case 'id':
        return String(rule.id);
      case 'msg':
        return rule.msg
          ? expandMacro(rule.msg, (inner) => (inner.collection === 'RULE' ? '' : resolveReference(tx, inner)))
          : '';
      case 'severity':
        return rule.severity === undefined ? '' : String(rule.severity);
      case 'ver':
        return rule.ver ?? '';
      case 'rev':
        return rule.rev ?? '';
      case 'phase':
        return String(rule.phase);
      default:
        return '';
    }
  }
  const values: TargetValue[] = [];
  const target =
    key === undefined
      ? { collection, count: false }
      : { collection, key, keyLower: key.toLowerCase(), count: false };
  resolveTarget(tx, target, [], values);
  return values[0]?.value ?? '';
}

export function expand(tx: WafTransaction, macro: Macro): string {
  return macro.constant ?? expandMacro(macro, (reference) => resolveReference(tx, reference));
}

function transformed(tx: WafTransaction, rule: CompiledRule, value: string): string {
  if (rule.transformations.length === 0) return value;
  let cache = tx.transformCache.get(rule.pipelineKey);
  if (!cache) {
    cache = new Map();
    tx.transformCache.set(rule.pipelineKey, cache);
  }
  let result = cache.get(value);
  if (result === undefined) {
    result = value;
    for (const transformation of rule.transformations) result = transformation(result);
    cache.set(value, result);
  }
  return result;
}

/** multiMatch: the raw value and every step that changed it. */
function everyStep(rule: CompiledRule, value: string): string[] {
  const steps = [value];
  let current = value;
  for (const transformation of rule.transformations) {
    const next = transformation(current);
    if (next !== current) steps.push(next);
    current = next;
  }
  return steps;
}

const NO_EXCLUSIONS: readonly CompiledExclusion[] = Object.freeze([]);

function runtimeExclusions(tx: WafTransaction, starter: CompiledRule): readonly CompiledExclusion[] {
  const { removedTargetsById, removedTargetsByTag } = tx.controls;
  if (removedTargetsById.length === 0 && removedTargetsByTag.length === 0) return NO_EXCLUSIONS;
  const found: CompiledExclusion[] = [];
  for (const removal of removedTargetsById) {
    if (starter.id >= removal.from && starter.id <= removal.to) found.push(...removal.exclusions);
  }
  for (const removal of removedTargetsByTag)
    if (starter.tags.includes(removal.tag)) found.push(...removal.exclusions);
  return found;
}

/** The operator context of a transaction, built once (operators only read it during the call). */
function operatorContext(tx: WafTransaction): OperatorContext {
  if (tx.operatorContext === null) {
    tx.operatorContext = {
      expand: (text) => expand(tx, cachedMacro(tx.context, text)),
      capture: false,
      setCapture: (index, value) => tx.collections.get('TX')?.set(String(index), value),
    };
  }
  return tx.operatorContext;
}

interface LinkMatch {
  name: string;
  value: string;
}

/** Ids of the program's required literals in a value; each distinct value is scanned once per transaction. */
function literalsIn(tx: WafTransaction, value: string): readonly number[] {
  let found = tx.literalsFound.get(value);
  if (found === undefined) {
    found = tx.context.program.literals.scan(value);
    tx.literalsFound.set(value, found);
  }
  return found;
}

/** False when none of the literal ids is flagged in the operator's prefilter: it cannot accept the value. */
function anyFlagged(found: readonly number[], prefilter: Uint8Array): boolean {
  for (let i = 0; i < found.length; i++) if (prefilter[found[i]!] === 1) return true;
  return false;
}

/** A rule's values with their transformed form, shared by the rules of one valuesKey in a phase. */
interface SharedValue extends TargetValue {
  candidate: string;
  found: readonly number[] | null;
}

export interface SharedValues {
  items: SharedValue[];
  /** Every literal id found in any candidate, once all were scanned. */
  present: readonly number[] | null;
}

function sharedValues(tx: WafTransaction, rule: CompiledRule, key: string): SharedValues {
  let shared = tx.sharedValues.get(key);
  if (shared === undefined) {
    const values: TargetValue[] = [];
    for (const target of rule.targets) resolveTarget(tx, target, rule.exclusions, values);
    const items: SharedValue[] = [];
    for (const { name, value } of values)
      items.push({ name, value, candidate: transformed(tx, rule, value), found: null });
    shared = { items, present: null };
    tx.sharedValues.set(key, shared);
  }
  return shared;
}

function presentIn(tx: WafTransaction, shared: SharedValues): readonly number[] {
  if (shared.present === null) {
    const lists: Array<readonly number[]> = [];
    for (const item of shared.items) lists.push((item.found ??= literalsIn(tx, item.candidate)));
    shared.present = tx.context.program.literals.union(lists);
  }
  return shared.present;
}

/** The fast path of evaluateLink for rules with a valuesKey and no ctl-removed targets. */
function evaluateShared(tx: WafTransaction, rule: CompiledRule, key: string): LinkMatch[] {
  const matches: LinkMatch[] = [];
  const operator = rule.operator as NonNullable<CompiledRule['operator']>;
  const shared = sharedValues(tx, rule, key);
  if (shared.items.length === 0) return matches;
  const prefilter = operator.prefilter;
  // A literal none of the values holds rules the whole rule out at once (not for `!@rx`).
  if (prefilter !== null && !operator.negated && !anyFlagged(presentIn(tx, shared), prefilter))
    return matches;
  const context = operatorContext(tx);
  context.capture = rule.capture;
  for (const item of shared.items) {
    let possible = true;
    if (prefilter !== null) {
      item.found ??= literalsIn(tx, item.candidate);
      possible = anyFlagged(item.found, prefilter);
    }
    if ((possible && operator.matcher(item.candidate, context)) === operator.negated) continue;
    recordMatch(tx, rule, item.name, item.candidate, matches);
  }
  return matches;
}

function recordMatch(
  tx: WafTransaction,
  rule: CompiledRule,
  name: string,
  candidate: string,
  matches: LinkMatch[],
): void {
  tx.scalars.set('MATCHED_VAR', candidate);
  tx.scalars.set('MATCHED_VAR_NAME', name);
  tx.matchedVars.add(name, candidate);
  matches.push({ name, value: candidate });
  for (const effect of rule.perMatchEffects) runEffect(tx, effect, rule);
}

function evaluateLink(tx: WafTransaction, rule: CompiledRule, starter: CompiledRule): LinkMatch[] {
  const matches: LinkMatch[] = [];
  const operator = rule.operator;
  if (operator === null) {
    for (const effect of rule.perMatchEffects) runEffect(tx, effect, rule);
    matches.push({ name: '', value: '' });
    return matches;
  }
  const extra = runtimeExclusions(tx, starter);
  if (extra.length === 0 && rule.valuesKey !== null) return evaluateShared(tx, rule, rule.valuesKey);
  const exclusions = extra.length === 0 ? rule.exclusions : [...rule.exclusions, ...extra];
  // One scratch list per transaction: links run one after the other, never nested.
  const values = tx.scratchValues;
  values.length = 0;
  for (const target of rule.targets) resolveTarget(tx, target, exclusions, values);
  if (values.length === 0) return matches;
  const context = operatorContext(tx);
  context.capture = rule.capture;
  const prefilter = operator.prefilter;
  for (const variable of values) {
    const candidates = rule.multiMatch
      ? everyStep(rule, variable.value)
      : [transformed(tx, rule, variable.value)];
    for (const candidate of candidates) {
      const possible = prefilter === null || anyFlagged(literalsIn(tx, candidate), prefilter);
      if ((possible && operator.matcher(candidate, context)) === operator.negated) continue;
      recordMatch(tx, rule, variable.name, candidate, matches);
    }
  }
  return matches;
}

function isRemoved(tx: WafTransaction, rule: CompiledRule): boolean {
  for (const [from, to] of tx.controls.removedIdRanges) if (rule.id >= from && rule.id <= to) return true;
  if (tx.controls.removedTags.size > 0)
    for (const tag of rule.tags) if (tx.controls.removedTags.has(tag)) return true;
  return false;
}

type Outcome = 'continue' | 'stop-phase' | 'stop';

function disrupt(tx: WafTransaction, rule: CompiledRule, action: DisruptiveAction, phase: Phase): Outcome {
  switch (action.kind) {
    case 'allow':
      if (action.scope === 'phase') return 'stop-phase';
      tx.allowed = action.scope;
      return 'stop';
    case 'deny':
    case 'drop':
    case 'redirect': {
      const interruption =
        action.kind === 'redirect'
          ? {
              action: action.kind,
              status:
                rule.status !== undefined && [301, 302, 303, 307].includes(rule.status) ? rule.status : 302,
              url: expand(tx, action.url),
              ruleId: rule.id,
              phase,
            }
          : { action: action.kind, status: rule.status ?? 403, ruleId: rule.id, phase };
      if (tx.controls.ruleEngine === 'On') {
        tx.interruption = interruption;
        return 'stop';
      }
      tx.wouldInterrupt ??= interruption;
      return 'continue';
    }
    default:
      return 'continue';
  }
}

function completeMatch(tx: WafTransaction, starter: CompiledRule, last: LinkMatch, phase: Phase): Outcome {
  for (let link: CompiledRule | null = starter; link; link = link.chained) {
    for (const effect of link.afterMatchEffects) runEffect(tx, effect, link);
  }
  let action = starter.disruptive ?? { kind: 'pass' };
  if (action.kind === 'block') action = starter.blockAction;
  if (starter.log) {
    let operatorRule: CompiledRule = starter;
    while (operatorRule.chained) operatorRule = operatorRule.chained;
    const operator = operatorRule.operator;
    tx.matches.push({
      id: starter.id,
      phase,
      msg: starter.msg ? expand(tx, starter.msg) : '',
      logdata: starter.logdata ? expand(tx, starter.logdata) : '',
      severity: starter.severity,
      tags: starter.tags,
      ver: starter.ver,
      rev: starter.rev,
      maturity: starter.maturity,
      accuracy: starter.accuracy,
      file: starter.location.file,
      line: starter.location.line,
      variable: { name: last.name, value: last.value },
      match: operator
        ? `${describeMatch(operator.name, operator.param, last.name, last.value)} at ${logSafe(last.name)}.`
        : 'Unconditional match in SecAction.',
      disruptive: action.kind,
      auditlog: starter.auditlog,
    });
  }
  return disrupt(tx, starter, action, phase);
}

/** Runs one phase over the transaction. */
export function runPhase(tx: WafTransaction, phase: Phase): void {
  const program = tx.context.program.phases[phase];
  if (!program) return;
  // The request data may have grown since the last phase (body, response headers).
  tx.sharedValues.clear();
  const entries = program.entries;
  let index = 0;
  while (index < entries.length) {
    const entry = entries[index];
    index++;
    if (!entry || entry.kind === 'marker') continue;
    const starter = entry.rule;
    if (isRemoved(tx, starter)) continue;
    tx.currentRule = starter;
    tx.matchedVars.clear();
    let last: LinkMatch | undefined;
    let matched = true;
    for (let link: CompiledRule | null = starter; link; link = link.chained) {
      const matches = evaluateLink(tx, link, starter);
      if (matches.length === 0) {
        matched = false;
        break;
      }
      last = matches[matches.length - 1];
    }
    if (!matched || !last) continue;
    const outcome = completeMatch(tx, starter, last, phase);
    if (outcome !== 'continue') break;
    if (starter.skipAfter !== undefined) {
      index = program.markerIndex.get(starter.skipAfter) ?? entries.length;
    } else if (starter.skip > 0) {
      let skipped = 0;
      while (index < entries.length && skipped < starter.skip) {
        if (entries[index]?.kind === 'rule') skipped++;
        index++;
      }
    }
  }
  tx.currentRule = null;
}
