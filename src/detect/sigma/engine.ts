/**
 * The Sigma engine (detect/sigma): binds parsed rules to the field map once (every field gets
 * a slot, every rule a bit mask of the log sources it reads), then evaluates events one at a
 * time: `evaluate(event)` returns the SigmaMatches of every active rule that matches.
 * Rules are indexed by the needles they require (see Requirement): per event, one scan per
 * field finds the needles present, and only the rules that one of them names (plus the few
 * rules with no requirement) run, so on benign traffic the cost hardly grows with the rule set.
 * A rule whose log source we do not feed, that names a field nobody maps, or whose status is
 * deprecated or unsupported stays listed in `rules` with `active: false` and the reason.
 *
 * @example
 * const engine = createSigmaEngine((await loadSigmaRules('rules/')).rules);
 * for (const match of engine.evaluate(event)) console.log(match.title, match.level);
 */
import type { SecurityEvent } from '../../core/records/security-event.js';
import { combine, compileCondition } from './condition.js';
import type { CompiledSelection } from './condition.js';
import { EventView, NeedleRegistry } from './event-view.js';
import { createFieldMap, feedAccepts } from './field-map.js';
import type { FieldAccessor, FieldMap, LogSourceFeed } from './field-map.js';
import type { Matcher, Requirement } from './modifiers.js';
import type { SigmaLogSource, SigmaMatch, SigmaRule } from './types.js';

/** Log sources are bits of a 32-bit mask. */
const MAX_LOG_SOURCES = 31;

export interface RuleStatus {
  rule: SigmaRule;
  active: boolean;
  inactiveReason?: string;
}

interface ActiveRule {
  rule: SigmaRule;
  mask: number;
  match: Matcher;
  /** Per field scan (key): needle ids of which one must be found, or null to always run. */
  requires: Array<{ key: number; ids: Int32Array }> | null;
  logsource: string;
  fieldSlots: Array<[string, number]>;
}

/** What an event of one log-source mask needs: the field scans to run, the rules always tried. */
interface EventPlan {
  /** (slot, case mode) keys that the requirements of the mask's rules read. */
  keys: Int32Array;
  /** Rules of the mask with no requirement, by index into `active`. */
  always: Int32Array;
}

const NO_RULES = new Int32Array(0);

export interface SigmaEngineOptions {
  fieldMap?: FieldMap;
}

export function logsourceLabel(logsource: SigmaLogSource): string {
  return [logsource.category, logsource.product, logsource.service]
    .filter((part) => part !== undefined)
    .join('/');
}

function feeds(feed: LogSourceFeed, wanted: SigmaLogSource): boolean {
  for (const key of ['category', 'product', 'service'] as const) {
    const value = wanted[key];
    if (value !== undefined && feed.logsource[key]?.toLowerCase() !== value.toLowerCase()) return false;
  }
  return true;
}

export class SigmaEngine {
  readonly rules: RuleStatus[] = [];
  private readonly active: ActiveRule[] = [];
  private readonly view: EventView;
  private readonly logSources: readonly LogSourceFeed[];
  /** Needle id → the rules (indices into `active`, ascending) whose requirement names it. */
  private readonly rulesOfNeedle: Int32Array[];
  private readonly plans = new Map<number, EventPlan>();
  /** Per rule: the evaluation in which it last became a candidate; avoids clearing a set. */
  private readonly candidateAt: Uint32Array;
  private readonly candidates: Int32Array;
  private evaluation = 0;

  constructor(rules: readonly SigmaRule[], options: SigmaEngineOptions = {}) {
    const fieldMap = options.fieldMap ?? createFieldMap();
    this.logSources = fieldMap.logSources.slice(0, MAX_LOG_SOURCES);
    const accessors: FieldAccessor[] = [];
    const needles = new NeedleRegistry();
    const slots = new Map<string, number>();
    const slotOf = (field: string): number => {
      const key = fieldMap.sourceKey(field)!;
      let slot = slots.get(key);
      if (slot === undefined) {
        slot = accessors.length;
        accessors.push(fieldMap.resolve(field)!);
        slots.set(key, slot);
      }
      return slot;
    };
    for (const rule of rules) {
      const inactive = this.inactiveReason(rule, fieldMap);
      if (inactive) {
        this.rules.push({ rule, active: false, inactiveReason: inactive });
        continue;
      }
      const selections = new Map<string, CompiledSelection>();
      for (const [name, selection] of rule.selections) {
        const alternatives = selection.alternatives.map((tests) =>
          combine(
            'and',
            tests.map((test) => ({ cost: test.cost, ...test.bind(slotOf(test.field), slotOf, needles) })),
          ),
        );
        selections.set(name, combine('or', alternatives));
      }
      let mask = 0;
      this.logSources.forEach((feed, bit) => {
        if (feeds(feed, rule.logsource)) mask |= 1 << bit;
      });
      const fieldSlots: Array<[string, number]> = rule.fields
        .filter((field) => fieldMap.resolve(field) !== null)
        .map((field) => [field, slotOf(field)]);
      const compiled = compileCondition(rule.condition, selections);
      this.active.push({
        rule,
        mask,
        match: compiled.match,
        requires: groupRequirement(compiled.requires),
        logsource: logsourceLabel(rule.logsource),
        fieldSlots,
      });
      this.rules.push({ rule, active: true });
    }
    this.view = new EventView(accessors, needles);
    this.rulesOfNeedle = indexByNeedle(this.active, needles.size);
    this.candidateAt = new Uint32Array(this.active.length);
    this.candidates = new Int32Array(this.active.length);
  }

  private planOf(mask: number): EventPlan {
    let plan = this.plans.get(mask);
    if (plan === undefined) {
      const keys = new Set<number>();
      const always: number[] = [];
      this.active.forEach((active, index) => {
        if ((active.mask & mask) === 0) return;
        if (active.requires === null) always.push(index);
        else for (const { key } of active.requires) keys.add(key);
      });
      plan = { keys: Int32Array.from(keys), always: Int32Array.from(always) };
      this.plans.set(mask, plan);
    }
    return plan;
  }

  /** Candidates of this event, ascending (rule order): rules whose requirement is met, and `always`. */
  private collectCandidates(mask: number, plan: EventPlan): number {
    const view = this.view;
    const evaluation = (this.evaluation = this.evaluation === 0xffffffff ? 1 : this.evaluation + 1);
    if (evaluation === 1) this.candidateAt.fill(0);
    for (let k = 0; k < plan.keys.length; k++) view.scanKey(plan.keys[k]!);
    const { candidates, candidateAt, active } = this;
    let count = 0;
    for (let f = 0; f < view.foundSize; f++) {
      const rules = this.rulesOfNeedle[view.foundId(f)] ?? NO_RULES;
      for (let r = 0; r < rules.length; r++) {
        const index = rules[r]!;
        if (candidateAt[index] === evaluation || (active[index]!.mask & mask) === 0) continue;
        candidateAt[index] = evaluation;
        candidates[count++] = index;
      }
    }
    for (let a = 0; a < plan.always.length; a++) candidates[count++] = plan.always[a]!;
    // insertion sort: a handful of candidates, and matches must come in rule order
    for (let i = 1; i < count; i++) {
      const value = candidates[i]!;
      let j = i - 1;
      for (; j >= 0 && candidates[j]! > value; j--) candidates[j + 1] = candidates[j]!;
      candidates[j + 1] = value;
    }
    return count;
  }

  private inactiveReason(rule: SigmaRule, fieldMap: FieldMap): string | null {
    if (rule.status === 'deprecated' || rule.status === 'unsupported')
      return `the rule's status is ${rule.status}`;
    if (!this.logSources.some((feed) => feeds(feed, rule.logsource))) {
      const fed = this.logSources.map((feed) => logsourceLabel(feed.logsource)).join(', ');
      return `log source '${logsourceLabel(rule.logsource)}' is not fed (we feed: ${fed})`;
    }
    for (const selection of rule.selections.values()) {
      for (const tests of selection.alternatives) {
        for (const test of tests) {
          for (const field of [test.field, ...test.refs]) {
            if (fieldMap.resolve(field) === null)
              return `field '${field}' has no mapping; add one to the field map`;
          }
        }
      }
    }
    return null;
  }

  /** Number of rules that run. */
  get activeCount(): number {
    return this.active.length;
  }

  /** The matches of every active rule on this event (an empty array when none). */
  evaluate(event: SecurityEvent): SigmaMatch[] {
    let mask = 0;
    for (let bit = 0; bit < this.logSources.length; bit++) {
      if (feedAccepts(this.logSources[bit]!.accepts, event)) mask |= 1 << bit;
    }
    if (mask === 0) return [];
    this.view.reset(event);
    const count = this.collectCandidates(mask, this.planOf(mask));
    let matches: SigmaMatch[] | null = null;
    for (let c = 0; c < count; c++) {
      const active = this.active[this.candidates[c]!]!;
      if (active.match(this.view)) (matches ??= []).push(this.toMatch(active, event));
    }
    return matches ?? [];
  }

  private toMatch(active: ActiveRule, event: SecurityEvent): SigmaMatch {
    const { rule } = active;
    const fields: SigmaMatch['fields'] = {};
    for (const [field, slot] of active.fieldSlots) {
      const value = this.view.raw(slot);
      if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean')
        fields[field] = value;
    }
    const match: SigmaMatch = {
      ruleId: rule.id,
      title: rule.title,
      level: rule.level,
      tags: rule.tags,
      eventId: event.id,
      eventTime: event.time,
      logsource: active.logsource,
      fields,
    };
    if (rule.name !== undefined) match.ruleName = rule.name;
    return match;
  }
}

function groupRequirement(requires: Requirement): ActiveRule['requires'] {
  if (requires === null) return null;
  const byKey = new Map<number, Set<number>>();
  for (const { key, id } of requires) {
    const ids = byKey.get(key) ?? new Set<number>();
    ids.add(id);
    byKey.set(key, ids);
  }
  return [...byKey].map(([key, ids]) => ({ key, ids: Int32Array.from(ids) }));
}

/** Needle id → the rules whose requirement names it, ascending. */
function indexByNeedle(active: readonly ActiveRule[], needles: number): Int32Array[] {
  const lists: number[][] = Array.from({ length: needles }, () => []);
  active.forEach((rule, index) => {
    for (const { ids } of rule.requires ?? []) {
      for (const id of ids) if (lists[id]!.at(-1) !== index) lists[id]!.push(index);
    }
  });
  return lists.map((list) => (list.length === 0 ? NO_RULES : Int32Array.from(list)));
}

export function createSigmaEngine(
  rules: readonly SigmaRule[],
  options: SigmaEngineOptions = {},
): SigmaEngine {
  return new SigmaEngine(rules, options);
}
