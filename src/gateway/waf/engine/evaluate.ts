/**
 * Rule evaluation (gateway/waf/engine, per request): runs one phase's program over a
 * transaction. For each rule: resolve its targets, transform each value through the rule's
 * prebuilt pipeline (cached per transaction by pipeline step and value), run the operator, and on a
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
  CompiledTarget,
  DisruptiveAction,
  Macro,
  MacroReference,
  Phase,
  PipelineStep,
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
      ? { id: -1, collection, count: false }
      : { id: -1, collection, key, keyLower: key.toLowerCase(), count: false };
  resolveTarget(tx, target, [], values);
  return values[0]?.value ?? '';
}

export function expand(tx: WafTransaction, macro: Macro): string {
  return macro.constant ?? expandMacro(macro, (reference) => resolveReference(tx, reference));
}

/**
 * The value after a cached `step`, cached per transaction by step and value; pipelines that
 * start alike start from the same cached result.
 */
function transformedAt(tx: WafTransaction, step: PipelineStep, value: string): string {
  let cache = tx.transformCache[step.id];
  if (cache === undefined) {
    cache = new Map();
    tx.transformCache[step.id] = cache;
  }
  let result = cache.get(value);
  if (result === undefined) {
    result = step.base === null ? value : transformedAt(tx, step.base, value);
    for (const transformation of step.run) result = transformation(result);
    cache.set(value, result);
  }
  return result;
}

function transformed(tx: WafTransaction, rule: CompiledRule, value: string): string {
  return rule.pipeline === null ? value : transformedAt(tx, rule.pipeline, value);
}

/** multiMatch: the raw value and every step that changed it (not cached: fewer values kept alive). */
function everyStep(rule: CompiledRule, value: string): string[] {
  const steps = [value];
  if (rule.pipeline === null) return steps;
  let current = value;
  for (const step of rule.pipeline.path) {
    const next = step.transformation(current);
    if (next !== current) steps.push(next);
    current = next;
  }
  return steps;
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
interface SharedValue {
  name: string;
  candidate: string;
  found: readonly number[] | null;
}

export interface SharedValues {
  /** The values, transformed; built on first use (a prefilter may rule every rule out first). */
  items: SharedValue[] | null;
  /** Every required literal the targets' values hold (see targetLiterals); null: unknown. */
  present: readonly number[] | null | undefined;
}

function sharedGroup(tx: WafTransaction, key: string): SharedValues {
  let shared = tx.sharedValues.get(key);
  if (shared === undefined) {
    shared = { items: null, present: undefined };
    tx.sharedValues.set(key, shared);
  }
  return shared;
}

function sharedItems(
  tx: WafTransaction,
  rule: CompiledRule,
  shared: SharedValues,
  exclusions: readonly CompiledExclusion[],
): SharedValue[] {
  if (shared.items === null) {
    const values: TargetValue[] = [];
    for (const target of rule.targets) resolveTarget(tx, target, exclusions, values);
    const items: SharedValue[] = [];
    const step = rule.pipeline;
    for (const { name, value } of values) {
      if (rule.multiMatch) {
        for (const candidate of everyStep(rule, value)) items.push({ name, candidate, found: null });
      } else
        items.push({ name, candidate: step === null ? value : transformedAt(tx, step, value), found: null });
    }
    shared.items = items;
  }
  return shared.items;
}

/** The required literals of a value after `step` (null: none), scanned once per transaction. */
function literalsAfter(tx: WafTransaction, step: PipelineStep | null, value: string): readonly number[] {
  return literalsIn(tx, step === null ? value : transformedAt(tx, step, value));
}

/**
 * Every required literal held by the values of one target through a rule's pipeline (through
 * each of its steps for multiMatch), once per phase for all the rules that read that target so.
 * Exclusions are ignored: more values can only let more rules through, never skip one wrongly.
 */
function targetLiterals(tx: WafTransaction, rule: CompiledRule, target: CompiledTarget): readonly number[] {
  const program = tx.context.program;
  const pipelines = program.pipelineSteps + 1;
  const pipeline = rule.pipeline === null ? 0 : rule.pipeline.id + 1;
  const key = (target.id * 2 + (rule.multiMatch ? 1 : 0)) * pipelines + pipeline;
  let found = tx.targetLiterals.get(key);
  if (found === undefined) {
    let values = tx.targetValues[target.id];
    if (values === undefined) {
      values = [];
      resolveTarget(tx, target, [], values);
      tx.targetValues[target.id] = values;
    }
    const lists: Array<readonly number[]> = [];
    for (const { value } of values) {
      if (rule.multiMatch) {
        for (const candidate of everyStep(rule, value)) lists.push(literalsIn(tx, candidate));
      } else lists.push(literalsAfter(tx, rule.pipeline, value));
    }
    found = program.literals.union(lists);
    tx.targetLiterals.set(key, found);
  }
  return found;
}

/**
 * Every required literal the values of a rule's targets hold, for the rules of one valuesKey;
 * null when a target is a count (its text, a number of values, was not scanned).
 */
function presentIn(tx: WafTransaction, rule: CompiledRule, shared: SharedValues): readonly number[] | null {
  if (shared.present === undefined) {
    const lists: Array<readonly number[]> = [];
    for (const target of rule.targets) {
      if (target.count || target.id < 0) {
        shared.present = null;
        return null;
      }
      lists.push(targetLiterals(tx, rule, target));
    }
    shared.present = lists.length === 1 ? lists[0]! : tx.context.program.literals.union(lists);
  }
  return shared.present;
}

/** The fast path of evaluateLink for rules whose values other rules may share (a valuesKey). */
function evaluateShared(
  tx: WafTransaction,
  rule: CompiledRule,
  key: string,
  exclusions: readonly CompiledExclusion[],
): LinkMatch[] {
  const matches: LinkMatch[] = [];
  const operator = rule.operator as NonNullable<CompiledRule['operator']>;
  const prefilter = operator.prefilter;
  const shared = sharedGroup(tx, key);
  // A literal none of the values holds rules the whole rule out at once (not for `!@rx`).
  if (prefilter !== null && !operator.negated) {
    const present = presentIn(tx, rule, shared);
    if (present !== null && !anyFlagged(present, prefilter)) return matches;
  }
  const items = sharedItems(tx, rule, shared, exclusions);
  if (items.length === 0) return matches;
  const context = operatorContext(tx);
  context.capture = rule.capture;
  for (const item of items) {
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
  let exclusions = rule.exclusions;
  let valuesKey = rule.valuesKey;
  const removals = tx.controls.targetRemovals;
  const removed = removals.size === 0 ? undefined : removals.get(starter);
  if (removed !== undefined) {
    exclusions = [...rule.exclusions, ...removed.exclusions];
    // Rules that lost the same targets still share: the key names the removals (see effects.ts).
    if (valuesKey !== null) valuesKey += removed.applied;
  }
  if (valuesKey !== null) return evaluateShared(tx, rule, valuesKey, exclusions);
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
  tx.clearPhaseCaches();
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
