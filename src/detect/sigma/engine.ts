/**
 * The Sigma engine (detect/sigma): binds parsed rules to the field map once (every field gets
 * a slot, every rule a bit mask of the log sources it reads), then evaluates events one at a
 * time: `evaluate(event)` returns the SigmaMatches of every active rule that matches.
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
    const view = this.view;
    view.reset(event);
    let matches: SigmaMatch[] | null = null;
    for (const active of this.active) {
      if ((active.mask & mask) === 0) continue;
      if (active.requires !== null && !met(view, active.requires)) continue;
      if (active.match(view)) (matches ??= []).push(this.toMatch(active, event));
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

function met(view: EventView, requires: NonNullable<ActiveRule['requires']>): boolean {
  for (let g = 0; g < requires.length; g++) {
    const { key, ids } = requires[g]!;
    const slot = key >> 1;
    const cased = (key & 1) === 1;
    if (!view.foundAny(slot, cased)) continue;
    for (let i = 0; i < ids.length; i++) if (view.hasNeedle(slot, cased, ids[i]!)) return true;
  }
  return false;
}

export function createSigmaEngine(
  rules: readonly SigmaRule[],
  options: SigmaEngineOptions = {},
): SigmaEngine {
  return new SigmaEngine(rules, options);
}
