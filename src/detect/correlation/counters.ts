/**
 * The four correlation types (detect/correlation) as streaming counters over one rule's groups.
 * Each keeps O(threshold) state per group in a GroupStore and answers, per event, whether the
 * group's condition is met; a group that fires starts again from nothing (one match per burst;
 * the alerts stage groups bursts further).
 *
 * - event_count / value_count with only a lower bound: a sliding window ending at each event;
 *   fires as soon as the count within the last `timespan` reaches the bound.
 * - event_count / value_count with an upper bound (lt, lte, eq, range): "at most" is only known
 *   once the window is over, so the window is tumbling, opened by the group's first event and
 *   decided when a later event of the group falls outside it or the group expires (at the latest
 *   one timespan after its last event, or at `flush`). Counts stop at max + 1.
 * - temporal: fires when the number of distinct referenced rules seen within the window reaches
 *   the lower bound (all of them by default).
 * - temporal_ordered: fires when the referenced rules were matched in the written order, the
 *   whole sequence within the timespan.
 */
import { GroupStore } from './group-store.js';
import type { GroupState, GroupStoreStats } from './group-store.js';
import type { CorrelationRule } from './types.js';

export interface Hit {
  key: string;
  count: number;
  firstMs: number;
  lastMs: number;
  eventIds: string[];
}

export interface Observation {
  key: string;
  timeMs: number;
  eventId: string;
  /** Index of the referenced rule that matched (temporal types). */
  position: number;
  /** The counted field's value (value_count). */
  value: string | undefined;
}

export interface Counter {
  observe(observation: Observation): Hit | null;
  /** Expires idle groups; returns the windows that decided to fire. */
  sweep(nowMs: number): Hit[];
  /** Decides every open window (end of input). */
  flush(): Hit[];
  readonly store: { stats(): GroupStoreStats; readonly size: number };
}

const NO_HITS: Hit[] = [];

/** The latest event ids of a group, at most `limit`, oldest first. */
function remember(ids: string[], id: string, limit: number): void {
  if (limit === 0) return;
  if (ids.length >= limit) ids.shift();
  ids.push(id);
}

interface SlidingState extends GroupState {
  times: number[];
  /** value_count only: the distinct values, parallel to `times`. */
  values: Array<string | undefined> | undefined;
  ids: string[];
}

/** event_count and value_count with no upper bound. */
class SlidingCounter implements Counter {
  readonly store: GroupStore<SlidingState>;

  constructor(
    private readonly rule: CorrelationRule,
    maxKeys: number,
    private readonly evidence: number,
  ) {
    this.store = new GroupStore<SlidingState>(maxKeys, rule.timespanMs);
  }

  observe(o: Observation): Hit | null {
    const distinct = this.rule.type === 'value_count';
    if (distinct && o.value === undefined) return null;
    let fresh = false;
    // a new group's arrays are created at their exact size: most groups (scanners, one-off
    // visitors) never see a second event, and an empty array's first push reserves 17 slots
    const state = this.store.touch(o.key, o.timeMs, () => {
      fresh = true;
      return {
        lastMs: 0,
        times: [o.timeMs],
        values: distinct ? [o.value] : undefined,
        ids: this.evidence > 0 ? [o.eventId] : [],
      };
    });
    if (!fresh) this.add(state, o, distinct);
    const min = Math.max(1, this.rule.condition.min);
    if (state.times.length < min) return null;
    this.store.delete(o.key);
    return {
      key: o.key,
      count: state.times.length,
      firstMs: state.times[0]!,
      lastMs: o.timeMs,
      eventIds: state.ids,
    };
  }

  private add(state: SlidingState, o: Observation, distinct: boolean): void {
    const horizon = o.timeMs - this.rule.timespanMs;
    let drop = 0;
    while (drop < state.times.length && state.times[drop]! < horizon) drop++;
    if (drop > 0) {
      state.times.splice(0, drop);
      state.values?.splice(0, drop);
    }
    if (distinct) {
      const at = state.values!.indexOf(o.value);
      if (at >= 0) {
        state.times.splice(at, 1);
        state.values!.splice(at, 1);
      }
      state.values!.push(o.value);
    }
    state.times.push(o.timeMs);
    remember(state.ids, o.eventId, this.evidence);
    // only the latest `min` times matter for "at least min"
    if (!distinct && state.times.length > Math.max(1, this.rule.condition.min)) state.times.shift();
  }

  sweep(nowMs: number): Hit[] {
    this.store.sweep(nowMs);
    return NO_HITS;
  }

  flush(): Hit[] {
    this.store.drain();
    return NO_HITS;
  }
}

interface WindowState extends GroupState {
  startMs: number;
  /** Time of the window's latest event. */
  endMs: number;
  count: number;
  values: string[];
  ids: string[];
}

/** event_count and value_count with an upper bound: tumbling windows decided when they end. */
class WindowCounter implements Counter {
  readonly store: GroupStore<WindowState>;
  private decided: Hit[] = [];

  constructor(
    private readonly rule: CorrelationRule,
    maxKeys: number,
    private readonly evidence: number,
  ) {
    this.store = new GroupStore<WindowState>(maxKeys, rule.timespanMs, (key, state) => {
      const hit = this.decide(key, state);
      if (hit) this.decided.push(hit);
    });
  }

  private decide(key: string, state: WindowState): Hit | null {
    const { min, max } = this.rule.condition;
    if (state.count < min || state.count > max) return null;
    return { key, count: state.count, firstMs: state.startMs, lastMs: state.endMs, eventIds: state.ids };
  }

  observe(o: Observation): Hit | null {
    const distinct = this.rule.type === 'value_count';
    if (distinct && o.value === undefined) return null;
    const state = this.store.touch(o.key, o.timeMs, () => ({
      lastMs: 0,
      startMs: o.timeMs,
      endMs: o.timeMs,
      count: 0,
      values: [],
      ids: [],
    }));
    let hit: Hit | null = null;
    if (o.timeMs - state.startMs > this.rule.timespanMs) {
      hit = this.decide(o.key, state);
      state.startMs = o.timeMs;
      state.count = 0;
      state.values = [];
      state.ids = [];
    }
    state.endMs = o.timeMs;
    const cap = this.rule.condition.max + 1;
    if (distinct) {
      if (!state.values.includes(o.value!) && state.values.length < cap) state.values.push(o.value!);
      state.count = state.values.length;
    } else if (state.count < cap) {
      state.count++;
    }
    remember(state.ids, o.eventId, this.evidence);
    return hit;
  }

  sweep(nowMs: number): Hit[] {
    this.store.sweep(nowMs);
    return this.take();
  }

  flush(): Hit[] {
    this.store.drain();
    return this.take();
  }

  private take(): Hit[] {
    if (this.decided.length === 0) return NO_HITS;
    const out = this.decided;
    this.decided = [];
    return out;
  }
}

interface TemporalState extends GroupState {
  /** Per referenced rule: the event time it was last seen (unordered) or the latest start of a chain reaching it (ordered). */
  marks: number[];
  ids: Array<string | undefined>;
}

class TemporalCounter implements Counter {
  readonly store: GroupStore<TemporalState>;

  constructor(
    private readonly rule: CorrelationRule,
    maxKeys: number,
  ) {
    this.store = new GroupStore<TemporalState>(maxKeys, rule.timespanMs);
  }

  observe(o: Observation): Hit | null {
    const size = this.rule.rules.length;
    const state = this.store.touch(o.key, o.timeMs, () => ({
      lastMs: 0,
      marks: new Array<number>(size).fill(Number.NEGATIVE_INFINITY),
      ids: new Array<string | undefined>(size).fill(undefined),
    }));
    const horizon = o.timeMs - this.rule.timespanMs;
    if (this.rule.type === 'temporal') {
      state.marks[o.position] = o.timeMs;
      state.ids[o.position] = o.eventId;
      let seen = 0;
      let first = o.timeMs;
      for (const mark of state.marks) {
        if (mark >= horizon) {
          seen++;
          first = Math.min(first, mark);
        }
      }
      if (seen < this.rule.condition.min) return null;
      this.store.delete(o.key);
      const ids = state.ids.filter((id, i): id is string => id !== undefined && state.marks[i]! >= horizon);
      return { key: o.key, count: seen, firstMs: first, lastMs: o.timeMs, eventIds: ids };
    }
    // ordered: marks[i] is the start time of the latest-starting chain that reached step i
    if (o.position === 0) {
      state.marks[0] = o.timeMs;
      state.ids[0] = o.eventId;
    } else if (state.marks[o.position - 1]! >= horizon) {
      state.marks[o.position] = state.marks[o.position - 1]!;
      state.ids[o.position] = o.eventId;
    } else {
      return null;
    }
    if (o.position !== size - 1) return null;
    this.store.delete(o.key);
    return {
      key: o.key,
      count: size,
      firstMs: state.marks[size - 1]!,
      lastMs: o.timeMs,
      eventIds: state.ids.filter((id): id is string => id !== undefined),
    };
  }

  sweep(nowMs: number): Hit[] {
    this.store.sweep(nowMs);
    return NO_HITS;
  }

  flush(): Hit[] {
    this.store.drain();
    return NO_HITS;
  }
}

export function createCounter(rule: CorrelationRule, maxKeys: number, evidence: number): Counter {
  if (rule.type === 'temporal' || rule.type === 'temporal_ordered') return new TemporalCounter(rule, maxKeys);
  if (rule.condition.max === Number.POSITIVE_INFINITY) return new SlidingCounter(rule, maxKeys, evidence);
  return new WindowCounter(rule, maxKeys, evidence);
}
