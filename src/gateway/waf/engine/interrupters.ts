/**
 * Which rules of a phase can interrupt a transaction, and whether one still can for a given
 * transaction (gateway/waf/engine). The worker pool asks after phase 2: when no phase-3 rule can
 * interrupt this transaction, the gateway sends the response on without waiting for phase 3.
 *
 * A rule can interrupt when its disruptive action is deny, drop or redirect, or a `block` whose
 * phase default is one of them (ctl:ruleEngine turns interruptions on or off, it makes none). A
 * rule is ruled out for one transaction when a link of its chain is a guard that fails now and
 * that the phase cannot change: a single TX variable named exactly, no transformation, no
 * capture, a constant parameter, and no rule of the phase writes that variable (a setvar with
 * that key or a key built at run time; capture, for TX:0-9). The CRS's early-blocking rule 959101
 * (`TX:EARLY_BLOCKING "@eq 1"` in its chain) is the rule this is for: off by default, the only
 * CRS rule that can deny in phase 3.
 *
 * @example
 * const interrupters = interruptersOf(program, 3);
 * mayInterrupt(tx, interrupters); // false for the CRS without early blocking
 */
import { isList } from './collections.js';
import { operatorContext } from './evaluate.js';
import type { CompiledRule, Phase, RuleProgram } from './program.js';
import type { WafTransaction } from './transaction.js';

export interface Interrupter {
  rule: CompiledRule;
  /** Links of its chain whose failure now rules the rule out for the rest of the phase. */
  guards: CompiledRule[];
}

const CAPTURE_KEYS = ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9'];

function interrupts(rule: CompiledRule): boolean {
  let action = rule.disruptive ?? { kind: 'pass' };
  if (action.kind === 'block') action = rule.blockAction;
  return action.kind === 'deny' || action.kind === 'drop' || action.kind === 'redirect';
}

/** TX keys (lower case) the phase's rules may write; null when a key is only known at run time. */
function writtenTxKeys(rules: readonly CompiledRule[]): Set<string> | null {
  const written = new Set<string>();
  for (const rule of rules) {
    for (let link: CompiledRule | null = rule; link; link = link.chained) {
      if (link.capture) for (const key of CAPTURE_KEYS) written.add(key);
      for (const effect of [...link.perMatchEffects, ...link.afterMatchEffects]) {
        if (effect.kind !== 'setvar' || effect.collection.toUpperCase() !== 'TX') continue;
        if (effect.key.constant === null) return null;
        written.add(effect.key.constant.toLowerCase());
      }
    }
  }
  return written;
}

function isGuard(link: CompiledRule, written: Set<string>): boolean {
  const target = link.targets[0];
  return (
    link.operator !== null &&
    !link.operator.param.includes('%{') &&
    !link.capture &&
    link.pipeline === null &&
    link.exclusions.length === 0 &&
    link.targets.length === 1 &&
    target !== undefined &&
    target.collection.toUpperCase() === 'TX' &&
    !target.count &&
    target.keyRegex === undefined &&
    target.keyLower !== undefined &&
    !written.has(target.keyLower)
  );
}

/** The phase's rules that can interrupt, each with its guard when it has one. */
export function interruptersOf(program: RuleProgram, phase: Phase): Interrupter[] {
  const rules: CompiledRule[] = [];
  for (const entry of program.phases[phase]?.entries ?? []) if (entry.kind === 'rule') rules.push(entry.rule);
  const written = writtenTxKeys(rules);
  return rules.filter(interrupts).map((rule) => {
    const guards: CompiledRule[] = [];
    for (let link: CompiledRule | null = rule; link && written; link = link.chained)
      if (isGuard(link, written)) guards.push(link);
    return { rule, guards };
  });
}

/** False when the guard's variable, as it is now, fails its operator (or is not set at all). */
function guardMayPass(tx: WafTransaction, guard: CompiledRule): boolean {
  const operator = guard.operator;
  const key = guard.targets[0]?.keyLower;
  if (operator === null || key === undefined) return true;
  const found = tx.collection('TX')?.lookup(key);
  if (found === undefined) return false;
  const context = operatorContext(tx);
  context.capture = false;
  for (const entry of isList(found) ? found : [found])
    if (operator.matcher(entry.value, context) !== operator.negated) return true;
  return false;
}

/** False when none of the interrupters can match this transaction in the phase still to run. */
export function mayInterrupt(tx: WafTransaction, interrupters: readonly Interrupter[]): boolean {
  for (const { guards } of interrupters) if (guards.every((guard) => guardMayPass(tx, guard))) return true;
  return false;
}
