/**
 * Rule evaluation (gateway/waf/engine, per request): runs one phase's program over a
 * transaction. For each rule: resolve its targets, transform each value through the rule's
 * prebuilt pipeline (cached per transaction by pipeline step and value), run the operator, and on a
 * match update MATCHED_VAR(S) and run setvar; a chain matches when every link does; then
 * ctl/initcol, the log entry and the disruptive action; then flow (skip, skipAfter).
 */
import { cachedMacro, type TargetValues, type ValueFacts } from './context.js';
import { runEffect } from './effects.js';
import { expandMacro } from './macro.js';
import { describeMatch, logSafe } from './results.js';
import { resolveTarget, ValueBuffer } from './variables.js';
import type {
  CompiledExclusion,
  CompiledRule,
  DisruptiveAction,
  Macro,
  MacroReference,
  Phase,
  PipelineStep,
} from './program.js';
import type { OperatorContext } from '../types.js';
import type { WafTransaction } from './transaction.js';

const NO_EXCLUSIONS: readonly CompiledExclusion[] = Object.freeze([]);

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
  const values = tx.context.scratch.referenceValues;
  values.reset();
  // Built once per reference: setvars and operator parameters expand theirs in every transaction.
  const target = (reference.target ??=
    key === undefined
      ? { id: -1, collection, count: false }
      : { id: -1, collection, key, keyLower: key.toLowerCase(), count: false });
  resolveTarget(tx, target, NO_EXCLUSIONS, values);
  return values.size > 0 ? (values.values[0] as string) : '';
}

export function expand(tx: WafTransaction, macro: Macro): string {
  return macro.constant ?? expandMacro(macro, (reference) => resolveReference(tx, reference));
}

/**
 * What one step's transformation makes of `value`, whose facts these are: run at most once per
 * distinct value in a transaction, the facts keep whether it changed the value and into what.
 * The step must have a bit.
 */
function applyOnce(facts: ValueFacts, step: PipelineStep, value: string): string {
  const bit = step.bit;
  if ((facts.known & bit) !== 0) {
    if ((facts.unchanged & bit) !== 0) return value;
    let result = facts.results;
    while (result!.bit !== bit) result = result!.next;
    return result!.value;
  }
  const next = step.transformation(value);
  facts.known |= bit;
  if (next === value) facts.unchanged |= bit;
  else facts.results = { bit, value: next, next: facts.results };
  return next;
}

/**
 * Each value `step`'s path passes through, from the raw value: every value a transformation
 * changed is added to `out` under `name` (the raw value is not). Pipelines that share
 * transformations share the work: each transformation runs once per distinct input (applyOnce),
 * and one that leaves a value as it is costs a bit test the next time.
 */
function walkPath(
  tx: WafTransaction,
  step: PipelineStep,
  value: string,
  out: ValueBuffer | null,
  name: string,
): string {
  const path = step.path;
  let current = value;
  let facts: ValueFacts | null = null;
  for (let i = 0; i < path.length; i++) {
    const each = path[i]!;
    let next: string;
    if (each.bit === 0) next = each.transformation(current);
    else {
      facts ??= factsOf(tx, current);
      next = applyOnce(facts, each, current);
    }
    if (next === current) continue;
    current = next;
    facts = null;
    if (out !== null) out.add(name, current);
  }
  return current;
}

/** The value after `step`'s path. */
function transformedAt(tx: WafTransaction, step: PipelineStep, value: string): string {
  return walkPath(tx, step, value, null, '');
}

function transformed(tx: WafTransaction, rule: CompiledRule, value: string): string {
  return rule.pipeline === null ? value : transformedAt(tx, rule.pipeline, value);
}

/**
 * multiMatch: the raw value and every value a step of the pipeline changed it into, in the
 * engine's scratch buffer (read it before the next call: nothing a caller runs per candidate,
 * operators and setvars included, calls this again).
 */
function everyStep(tx: WafTransaction, rule: CompiledRule, name: string, value: string): ValueBuffer {
  const steps = tx.context.scratch.steps;
  steps.reset();
  steps.add(name, value);
  if (rule.pipeline !== null) walkPath(tx, rule.pipeline, value, steps, name);
  return steps;
}

/** The operator context of a transaction, built once (operators only read it during the call). */
export function operatorContext(tx: WafTransaction): OperatorContext {
  if (tx.operatorContext === null) {
    tx.operatorContext = {
      expand: (text) => expand(tx, cachedMacro(tx.context, text)),
      capture: false,
      setCapture: (index, value) => tx.collections.get('TX')?.set(String(index), value),
    };
  }
  return tx.operatorContext;
}

/** What this transaction knows of a value string, one record per distinct value. */
function factsOf(tx: WafTransaction, value: string): ValueFacts {
  let facts = tx.valueFacts.get(value);
  if (facts === undefined) {
    facts = { literals: null, known: 0, unchanged: 0, results: null };
    tx.valueFacts.set(value, facts);
  }
  return facts;
}

/** The literals of a value whose facts these are, scanned on first use. */
function ownLiterals(tx: WafTransaction, facts: ValueFacts, value: string): readonly number[] {
  return (facts.literals ??= tx.context.program.literals.scan(value));
}

/** Ids of the program's required literals in a value; each distinct value is scanned once per transaction. */
function literalsIn(tx: WafTransaction, value: string): readonly number[] {
  return ownLiterals(tx, factsOf(tx, value), value);
}

/**
 * Of `bits` (each the bit of a transformation on `step`'s path), those whose transformation
 * returns `value` unchanged; each transformation runs at most once per distinct value.
 */
function unchangedBits(facts: ValueFacts, value: string, step: PipelineStep, bits: number): number {
  let missing = bits & ~facts.known;
  if (missing !== 0) {
    const path = step.path;
    for (let i = 0; i < path.length && missing !== 0; i++) {
      const bit = path[i]!.bit;
      if ((missing & bit) === 0) continue;
      missing &= ~bit;
      applyOnce(facts, path[i]!, value);
    }
  }
  return facts.unchanged & bits;
}

/**
 * True when every value of a target comes out of `step`'s path holding the literals it went in
 * with: each transformation leaves it unchanged, but for a last `t:lowercase` (the index folds
 * A-Z). Then the target's literals through that path are its own, without transforming anything.
 */
function keepsLiterals(values: TargetValues, step: PipelineStep): boolean {
  const bits = step.literalBits;
  if (bits < 0) return false;
  const missing = bits & ~values.known;
  if (missing !== 0) {
    let unchanged = missing;
    for (let i = 0; i < values.size; i++)
      unchanged &= unchangedBits(values.facts[i]!, values.values[i]!, step, missing);
    values.known |= missing;
    values.unchanged |= unchanged;
  }
  return (values.unchanged & bits) === bits;
}

/** The literals of a target's values as they are, once per phase run. */
function ownTargetLiterals(tx: WafTransaction, values: TargetValues): readonly number[] {
  if (values.literals === null) {
    const lists = tx.context.scratch.literalLists;
    for (let i = 0; i < values.size; i++) lists[i] = ownLiterals(tx, values.facts[i]!, values.values[i]!);
    values.literals = unionOf(tx, lists, values.size);
  }
  return values.literals;
}

/** False when none of the literal ids is flagged in the operator's prefilter: it cannot accept the value. */
function anyFlagged(found: readonly number[], prefilter: Uint32Array): boolean {
  for (let i = 0; i < found.length; i++) {
    const id = found[i]!;
    if ((prefilter[id >>> 5]! & (1 << (id & 31))) !== 0) return true;
  }
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
}

function sharedGroup(tx: WafTransaction, key: string): SharedValues {
  let shared = tx.sharedValues.get(key);
  if (shared === undefined) {
    shared = { items: null };
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
    // The engine's scratch buffer: evaluateLink only uses it for rules without a valuesKey.
    const values = tx.context.scratch.values;
    values.reset();
    for (const target of rule.targets) resolveTarget(tx, target, exclusions, values);
    const items: SharedValue[] = [];
    const step = rule.pipeline;
    for (let i = 0; i < values.size; i++) {
      const name = values.names[i]!;
      const value = values.values[i]!;
      if (rule.multiMatch) {
        const steps = everyStep(tx, rule, name, value);
        for (let k = 0; k < steps.size; k++) items.push({ name, candidate: steps.values[k]!, found: null });
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

const NO_LITERALS: readonly number[] = Object.freeze([]);

/** The distinct literal ids of several lists; no new array when at most one list holds any. */
function unionOf(
  tx: WafTransaction,
  lists: ReadonlyArray<readonly number[]>,
  count: number,
): readonly number[] {
  let only: readonly number[] = NO_LITERALS;
  for (let i = 0; i < count; i++) {
    const list = lists[i]!;
    if (list.length === 0) continue;
    if (only.length > 0) return tx.context.program.literals.union(lists.slice(0, count));
    only = list;
  }
  return only;
}

/**
 * Every required literal held by the values of one target through a rule's pipeline (through
 * each of its steps for multiMatch), once per phase for all the rules that read that target so.
 * Exclusions are ignored: more values can only let more rules through, never skip one wrongly.
 */
function targetLiterals(tx: WafTransaction, rule: CompiledRule, index: number): readonly number[] {
  const scratch = tx.context.scratch;
  const slot = rule.literalSlots[index]!;
  if (scratch.targetLiteralsRun[slot] === tx.phaseRun) return scratch.targetLiterals[slot]!;
  const target = rule.targets[index]!;
  const values = scratch.targetBuffer(target.id);
  if (values.run !== tx.phaseRun) {
    values.reset();
    resolveTarget(tx, target, NO_EXCLUSIONS, values);
    for (let i = 0; i < values.size; i++) values.facts[i] = factsOf(tx, values.values[i]!);
    values.run = tx.phaseRun;
  }
  const step = rule.pipeline;
  let found: readonly number[];
  if (!rule.multiMatch && (step === null || keepsLiterals(values, step))) {
    found = ownTargetLiterals(tx, values);
  } else {
    // Written by index, never truncated: `length = 0` would drop the arrays' storage.
    const lists = scratch.literalLists;
    let count = 0;
    const bits = step === null ? 0 : step.literalBits;
    for (let i = 0; i < values.size; i++) {
      const value = values.values[i]!;
      if (rule.multiMatch) {
        const steps = everyStep(tx, rule, '', value);
        for (let k = 0; k < steps.size; k++) lists[count++] = literalsIn(tx, steps.values[k]!);
      } else if (bits >= 0 && (values.facts[i]!.unchanged & bits) === bits) {
        // keepsLiterals above checked every value for these bits.
        lists[count++] = ownLiterals(tx, values.facts[i]!, value);
      } else lists[count++] = literalsAfter(tx, step, value);
    }
    found = unionOf(tx, lists, count);
  }
  scratch.targetLiterals[slot] = found;
  scratch.targetLiteralsRun[slot] = tx.phaseRun;
  return found;
}

/**
 * False when no value of the rule's targets holds a literal its operator needs: the rule cannot
 * match. Unknown (true) when a target is a count (its text, a number of values, is not scanned).
 */
function mayMatch(tx: WafTransaction, rule: CompiledRule, prefilter: Uint32Array): boolean {
  const targets = rule.targets;
  for (let i = 0; i < targets.length; i++) if (targets[i]!.count || targets[i]!.id < 0) return true;
  for (let i = 0; i < targets.length; i++)
    if (anyFlagged(targetLiterals(tx, rule, i), prefilter)) return true;
  return false;
}

/** The fast path of evaluateLink for rules whose values other rules may share (a valuesKey). */
function evaluateShared(
  tx: WafTransaction,
  rule: CompiledRule,
  key: string,
  exclusions: readonly CompiledExclusion[],
): boolean {
  let matched = false;
  const operator = rule.operator as NonNullable<CompiledRule['operator']>;
  const prefilter = operator.prefilter;
  // A literal none of the values holds rules the whole rule out at once (not for `!@rx`).
  if (prefilter !== null && !operator.negated && !mayMatch(tx, rule, prefilter)) return false;
  const shared = sharedGroup(tx, key);
  const items = sharedItems(tx, rule, shared, exclusions);
  if (items.length === 0) return false;
  const context = operatorContext(tx);
  context.capture = rule.capture;
  for (const item of items) {
    let possible = true;
    if (prefilter !== null) {
      item.found ??= literalsIn(tx, item.candidate);
      possible = anyFlagged(item.found, prefilter);
    }
    if ((possible && operator.matcher(item.candidate, context)) === operator.negated) continue;
    recordMatch(tx, rule, item.name, item.candidate);
    matched = true;
  }
  return matched;
}

/** A value the link matched: MATCHED_VAR(S), the link's last match (tx.lastMatch*), per-match setvars. */
function recordMatch(tx: WafTransaction, rule: CompiledRule, name: string, candidate: string): void {
  tx.scalars.set('MATCHED_VAR', candidate);
  tx.scalars.set('MATCHED_VAR_NAME', name);
  tx.matchedVars.record(name, candidate);
  tx.lastMatchName = name;
  tx.lastMatchValue = candidate;
  const effects = rule.perMatchEffects;
  for (let i = 0; i < effects.length; i++) runEffect(tx, effects[i]!, rule);
}

/** Runs the operator on one candidate (unless the prefilter rules it out) and records a match. */
function matchCandidate(
  tx: WafTransaction,
  rule: CompiledRule,
  operator: NonNullable<CompiledRule['operator']>,
  context: OperatorContext,
  name: string,
  candidate: string,
): boolean {
  const prefilter = operator.prefilter;
  const possible = prefilter === null || anyFlagged(literalsIn(tx, candidate), prefilter);
  if ((possible && operator.matcher(candidate, context)) === operator.negated) return false;
  recordMatch(tx, rule, name, candidate);
  return true;
}

/**
 * Runs one link of a rule (the rule itself when it has no chain) over its targets; true when it
 * matched at least one value, the last of them left in tx.lastMatchName / tx.lastMatchValue.
 * Allocates nothing when nothing matches: most rules of most transactions.
 */
function evaluateLink(tx: WafTransaction, rule: CompiledRule, starter: CompiledRule): boolean {
  const operator = rule.operator;
  if (operator === null) {
    const effects = rule.perMatchEffects;
    for (let i = 0; i < effects.length; i++) runEffect(tx, effects[i]!, rule);
    tx.lastMatchName = '';
    tx.lastMatchValue = '';
    return true;
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
  // The engine's scratch buffer: links run one after the other, never nested.
  const values = tx.context.scratch.values;
  values.reset();
  for (const target of rule.targets) resolveTarget(tx, target, exclusions, values);
  if (values.size === 0) return false;
  let matched = false;
  const context = operatorContext(tx);
  context.capture = rule.capture;
  // Operators and per-match setvars never write this buffer (macros use scratch.referenceValues).
  for (let v = 0; v < values.size; v++) {
    const name = values.names[v]!;
    const value = values.values[v]!;
    if (!rule.multiMatch) {
      if (matchCandidate(tx, rule, operator, context, name, transformed(tx, rule, value))) matched = true;
      continue;
    }
    const steps = everyStep(tx, rule, name, value);
    for (let k = 0; k < steps.size; k++)
      if (matchCandidate(tx, rule, operator, context, name, steps.values[k]!)) matched = true;
  }
  return matched;
}

function isRemoved(tx: WafTransaction, rule: CompiledRule): boolean {
  const ranges = tx.controls.removedIdRanges;
  for (let i = 0; i < ranges.length; i++) {
    const [from, to] = ranges[i]!;
    if (rule.id >= from && rule.id <= to) return true;
  }
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

function completeMatch(tx: WafTransaction, starter: CompiledRule, phase: Phase): Outcome {
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
      variable: { name: tx.lastMatchName, value: tx.lastMatchValue },
      match: operator
        ? `${describeMatch(operator.name, operator.param, tx.lastMatchName, tx.lastMatchValue)} at ${logSafe(tx.lastMatchName)}.`
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
    let matched = true;
    for (let link: CompiledRule | null = starter; link; link = link.chained) {
      if (!evaluateLink(tx, link, starter)) {
        matched = false;
        break;
      }
    }
    if (!matched) continue;
    const outcome = completeMatch(tx, starter, phase);
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
