/**
 * Correlation engine (detect/correlation): Sigma correlation rules evaluated as a stream.
 * Feed it every event in time order with the Sigma matches the Sigma engine found for it;
 * it returns the correlation matches that event completed. Time is the events' own
 * (`event.time`, never the wall clock), so a replay gives the same answer; an event older than
 * one already seen counts as happening at the latest time seen.
 * Group-by fields resolve like rule fields (the Sigma field map, then SecurityEvent paths),
 * through the rule's `aliases`; a missing value groups as ''. Correlations may reference other
 * correlations (chains); cycles and unknown references are load problems.
 *
 * @example
 * const correlation = new CorrelationEngine(loaded.correlations, loaded.rules);
 * for (const event of events) {
 *   const matches = sigma.evaluate(event);
 *   for (const hit of correlation.observe(event, matches)) console.log(hit.title, hit.group);
 * }
 * correlation.flush(); // decides windows still open at the end of the input
 */
import type { SecurityEvent } from '../../core/records/security-event.js';
import { createFieldMap } from '../sigma/field-map.js';
import type { FieldAccessor, FieldMap, FieldValue } from '../sigma/field-map.js';
import type { SigmaMatch, SigmaProblem, SigmaRule } from '../sigma/types.js';
import { createCounter } from './counters.js';
import type { Counter, Hit } from './counters.js';
import type { CorrelationMatch, CorrelationRule } from './types.js';

export const DEFAULT_MAX_KEYS_PER_RULE = 200_000;
export const DEFAULT_EVIDENCE_PER_GROUP = 5;

export interface CorrelationEngineOptions {
  fieldMap?: FieldMap;
  /** Groups kept per correlation rule; beyond it the stalest group is evicted. */
  maxKeysPerRule?: number;
  /** Event ids kept per group as evidence (the latest ones). */
  evidencePerGroup?: number;
  /** Event time between two sweeps of expired groups. */
  sweepEveryMs?: number;
}

/** How one referenced rule feeds a correlation. */
interface Input {
  node: Node;
  position: number;
  /** Per group-by field: from the event (base rule) or from the child's group (chained correlation). */
  groupFrom: Array<FieldAccessor | string>;
  valueFrom: FieldAccessor | null;
}

interface Node {
  rule: CorrelationRule;
  counter: Counter;
}

const SEPARATOR = '\u001f';

function text(value: FieldValue): string {
  if (value === undefined || value === null) return '';
  if (typeof value === 'object') return value.map(String).join(',');
  return String(value);
}

export class CorrelationEngine {
  readonly problems: SigmaProblem[] = [];
  /** Ids of rules that report only through a correlation (`generate: false`). */
  readonly suppressed = new Set<string>();
  private readonly nodes: Node[] = [];
  private readonly byRule = new Map<string, Input[]>();
  private watermarkMs = Number.NEGATIVE_INFINITY;
  private lastSweepMs = Number.NEGATIVE_INFINITY;
  private readonly sweepEveryMs: number;

  constructor(
    correlations: readonly CorrelationRule[],
    rules: readonly SigmaRule[],
    options: CorrelationEngineOptions = {},
  ) {
    const fieldMap = options.fieldMap ?? createFieldMap();
    const maxKeys = options.maxKeysPerRule ?? DEFAULT_MAX_KEYS_PER_RULE;
    const evidence = options.evidencePerGroup ?? DEFAULT_EVIDENCE_PER_GROUP;
    this.sweepEveryMs = options.sweepEveryMs ?? 1_000;
    const ruleByRef = new Map<string, SigmaRule>();
    for (const rule of rules) {
      ruleByRef.set(rule.id, rule);
      if (rule.name !== undefined) ruleByRef.set(rule.name, rule);
    }
    const correlationByRef = new Map<string, CorrelationRule>();
    for (const c of correlations) {
      correlationByRef.set(c.id, c);
      if (c.name !== undefined) correlationByRef.set(c.name, c);
    }
    const valid = correlations.filter((c) => this.check(c, ruleByRef, correlationByRef, fieldMap));
    const generate = new Map<string, boolean>();
    for (const c of valid) {
      const node: Node = { rule: c, counter: createCounter(c, maxKeys, evidence) };
      this.nodes.push(node);
      c.rules.forEach((ref, position) => {
        const target = ruleByRef.get(ref) ?? correlationByRef.get(ref)!;
        const fieldFor = (groupField: string): string => {
          const alias = c.aliases[groupField];
          return (
            alias?.[ref] ??
            (target.name !== undefined ? alias?.[target.name] : undefined) ??
            alias?.[target.id] ??
            groupField
          );
        };
        const chained = 'type' in target;
        const input: Input = {
          node,
          position,
          groupFrom: c.groupBy.map((field) =>
            chained ? fieldFor(field) : fieldMap.resolve(fieldFor(field))!,
          ),
          valueFrom: c.valueField !== undefined && !chained ? fieldMap.resolve(c.valueField) : null,
        };
        const list = this.byRule.get(target.id) ?? [];
        list.push(input);
        this.byRule.set(target.id, list);
        generate.set(target.id, (generate.get(target.id) ?? false) || c.generate);
      });
    }
    for (const [id, shown] of generate) if (!shown) this.suppressed.add(id);
  }

  /** Reports a correlation that cannot run; true when it can. */
  private check(
    c: CorrelationRule,
    rules: Map<string, SigmaRule>,
    correlations: Map<string, CorrelationRule>,
    fieldMap: FieldMap,
  ): boolean {
    const problem = (reason: string): false => {
      this.problems.push({
        code: 'sigma_rule_invalid',
        file: c.file,
        document: c.document,
        ruleId: c.id,
        title: c.title,
        reason,
      });
      return false;
    };
    for (const ref of c.rules) {
      const rule = rules.get(ref);
      const chained = correlations.get(ref);
      if (!rule && !chained) return problem(`correlation.rules: no rule has the id or name '${ref}'`);
      if (rule) {
        for (const field of c.groupBy) {
          const mapped =
            c.aliases[field]?.[ref] ?? (rule.name ? c.aliases[field]?.[rule.name] : undefined) ?? field;
          if (fieldMap.resolve(mapped) === null) return problem(`group-by field '${mapped}' has no mapping`);
        }
        if (c.valueField !== undefined && fieldMap.resolve(c.valueField) === null) {
          return problem(`condition.field '${c.valueField}' has no mapping`);
        }
      }
    }
    const visiting = new Set<string>();
    const cyclic = (node: CorrelationRule): boolean => {
      if (visiting.has(node.id)) return true;
      visiting.add(node.id);
      const found = node.rules.some((ref) => {
        const child = correlations.get(ref);
        return child !== undefined && cyclic(child);
      });
      visiting.delete(node.id);
      return found;
    };
    if (cyclic(c)) return problem('correlation.rules forms a cycle of correlations');
    return true;
  }

  /** The correlation matches completed by this event (in time order with the others). */
  observe(event: SecurityEvent, matches: readonly SigmaMatch[]): CorrelationMatch[] {
    if (this.nodes.length === 0) return [];
    const parsed = Date.parse(event.time);
    const nowMs = Number.isFinite(parsed) && parsed > this.watermarkMs ? parsed : this.watermarkMs;
    this.watermarkMs = nowMs;
    const out: CorrelationMatch[] = [];
    if (nowMs - this.lastSweepMs >= this.sweepEveryMs) {
      this.lastSweepMs = nowMs;
      for (const node of this.nodes) for (const hit of node.counter.sweep(nowMs)) this.emit(node, hit, out);
    }
    if (matches.length === 0) return out;
    const inputs: Input[] = [];
    for (const match of matches) {
      const list = this.byRule.get(match.ruleId);
      if (list) inputs.push(...list);
    }
    // an event that is several steps of one ordered sequence counts for the later step first, so it
    // never completes a sequence alone
    inputs.sort((a, b) => (a.node === b.node ? b.position - a.position : 0));
    for (const input of inputs) {
      const key =
        input.groupFrom.length === 1
          ? text((input.groupFrom[0] as FieldAccessor)(event))
          : input.groupFrom.map((from) => text((from as FieldAccessor)(event))).join(SEPARATOR);
      const value = input.valueFrom ? input.valueFrom(event) : undefined;
      const hit = input.node.counter.observe({
        key,
        timeMs: nowMs,
        eventId: event.id,
        position: input.position,
        value: value === undefined || value === null ? undefined : text(value),
      });
      if (hit) this.emit(input.node, hit, out);
    }
    return out;
  }

  /** Decides every window still open (end of input) and returns what fires. */
  flush(): CorrelationMatch[] {
    const out: CorrelationMatch[] = [];
    for (const node of this.nodes) for (const hit of node.counter.flush()) this.emit(node, hit, out);
    return out;
  }

  stats(): Array<{ ruleId: string; keys: number; expired: number; evicted: number }> {
    return this.nodes.map((node) => ({ ruleId: node.rule.id, ...node.counter.store.stats() }));
  }

  private emit(node: Node, hit: Hit, out: CorrelationMatch[]): void {
    const { rule } = node;
    const values = rule.groupBy.length <= 1 ? [hit.key] : hit.key.split(SEPARATOR);
    const group: Record<string, string> = {};
    rule.groupBy.forEach((field, i) => (group[field] = values[i] ?? ''));
    const match: CorrelationMatch = {
      ruleId: rule.id,
      title: rule.title,
      level: rule.level,
      tags: rule.tags,
      type: rule.type,
      group,
      count: hit.count,
      firstTime: new Date(hit.firstMs).toISOString(),
      lastTime: new Date(hit.lastMs).toISOString(),
      eventIds: hit.eventIds,
    };
    if (rule.name !== undefined) match.ruleName = rule.name;
    if (!this.suppressed.has(rule.id)) out.push(match);
    for (const parent of this.byRule.get(rule.id) ?? []) {
      const key = parent.groupFrom.map((from) => group[from as string] ?? '').join(SEPARATOR);
      const chainedHit = parent.node.counter.observe({
        key,
        timeMs: hit.lastMs,
        eventId: hit.eventIds.at(-1) ?? '',
        position: parent.position,
        value: undefined,
      });
      if (chainedHit) this.emit(parent.node, chainedHit, out);
    }
  }
}
