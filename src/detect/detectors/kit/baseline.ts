/**
 * Learned per-key rates (detect, built-in detectors): event time is cut into buckets of
 * `bucketMs`; each key (a destination, an internal host) sums a few figures per bucket
 * (SYNs, packets, bytes...) and keeps an exponentially weighted moving average (EWMA) of each
 * over its past buckets. Empty buckets count as zeros, so a quiet key's baseline decays. A
 * bucket the detector marked anomalous is not learned (an attack does not become the norm).
 * Until a key has `warmupBuckets` buckets behind it, its baseline is not trusted.
 *
 * @example
 *   const rates = new BucketBaseline({ bucketMs: 60_000, alpha: 0.1, figures: 2, maxKeys: 100_000 });
 *   const state = rates.add(dstIp, nowMs, [1, flow.bytes]);
 *   if (state.buckets >= 10 && state.current[0] > 10 * state.mean[0]) ...
 */
import { BoundedMap, type Stamped } from './bounded-map.js';

export interface BucketState extends Stamped {
  bucketStartMs: number;
  /** Sums of the figures in the current bucket. */
  current: number[];
  /** EWMA of each figure over the closed buckets. */
  mean: number[];
  /** Closed buckets learned so far. */
  buckets: number;
  /** Set by the detector when the current bucket fired: it will not be learned. */
  anomalous: boolean;
  /** Event ids of the current bucket, at most `maxIds`. */
  ids: string[];
  /**
   * Sources seen in the current bucket with their counts (at most `maxSources` of them); made
   * when a second distinct source shows up (most keys see one), until then `firstSource` and
   * `firstSourceEvents` hold the only one: a Map per key and bucket is the costliest part of
   * the state, for keys such as a client receiving answers from one server.
   */
  sources: Map<string, number> | undefined;
  firstSource: string | undefined;
  firstSourceEvents: number;
}

export interface BucketBaselineOptions {
  bucketMs: number;
  /** Weight of the newest bucket in the average, 0 < alpha <= 1. */
  alpha: number;
  figures: number;
  maxKeys: number;
  /** How long a key is remembered without events; default 1,000 buckets. */
  ttlMs?: number;
  maxIds?: number;
  maxSources?: number;
}

export class BucketBaseline {
  private readonly table: BoundedMap<BucketState>;
  private readonly maxIds: number;
  private readonly maxSources: number;

  constructor(private readonly options: BucketBaselineOptions) {
    this.table = new BoundedMap<BucketState>(options.maxKeys, options.ttlMs ?? options.bucketMs * 1000);
    this.maxIds = options.maxIds ?? 200;
    this.maxSources = options.maxSources ?? 256;
  }

  // Made once: a closure per event would be an allocation on the hottest path.
  private readonly createState = (nowMs: number): BucketState => {
    const { bucketMs, figures: n } = this.options;
    return {
      lastMs: nowMs,
      positionMs: nowMs,
      bucketStartMs: nowMs - (nowMs % bucketMs),
      current: new Array<number>(n).fill(0),
      mean: new Array<number>(n).fill(0),
      buckets: 0,
      anomalous: false,
      ids: [],
      sources: undefined,
      firstSource: undefined,
      firstSourceEvents: 0,
    };
  };

  /** Adds the figures of one event to the key's current bucket (closing the previous ones first). */
  add(key: string, nowMs: number, figures: readonly number[], eventId: string, source?: string): BucketState {
    const { bucketMs, figures: n } = this.options;
    const bucketStartMs = nowMs - (nowMs % bucketMs);
    const state = this.table.upsert(key, nowMs, this.createState);
    if (bucketStartMs > state.bucketStartMs) this.close(state, bucketStartMs);
    for (let i = 0; i < n; i++) state.current[i] = (state.current[i] as number) + (figures[i] ?? 0);
    if (state.ids.length < this.maxIds) state.ids.push(eventId);
    if (source !== undefined) this.count(state, source);
    return state;
  }

  private count(state: BucketState, source: string): void {
    if (state.firstSource === undefined) {
      state.firstSource = source;
      state.firstSourceEvents = 1;
      return;
    }
    if (state.sources === undefined) {
      if (source === state.firstSource) {
        state.firstSourceEvents++;
        return;
      }
      state.sources = new Map([[state.firstSource, state.firstSourceEvents]]);
    }
    const sources = state.sources;
    const n = sources.get(source);
    if (n !== undefined) sources.set(source, n + 1);
    else if (sources.size < this.maxSources) sources.set(source, 1);
  }

  private close(state: BucketState, nextStartMs: number): void {
    const { alpha, bucketMs } = this.options;
    const empty = Math.max(0, Math.floor((nextStartMs - state.bucketStartMs) / bucketMs) - 1);
    if (!state.anomalous) {
      for (let i = 0; i < state.mean.length; i++) {
        const value = state.current[i] as number;
        state.mean[i] = state.buckets === 0 ? value : alpha * value + (1 - alpha) * (state.mean[i] as number);
      }
      state.buckets++;
    }
    if (empty > 0 && state.buckets > 0) {
      const decay = Math.pow(1 - alpha, Math.min(empty, 10_000));
      for (let i = 0; i < state.mean.length; i++) state.mean[i] = (state.mean[i] as number) * decay;
      state.buckets += empty;
    }
    state.bucketStartMs = nextStartMs;
    state.current.fill(0);
    state.anomalous = false;
    state.ids = [];
    state.sources = undefined;
    state.firstSource = undefined;
    state.firstSourceEvents = 0;
  }

  sweep(nowMs: number): void {
    this.table.sweep(nowMs);
  }

  get size(): number {
    return this.table.size;
  }

  /** Keys forgotten to honour maxKeys (not expiry). */
  get evictedForSpace(): number {
    return this.table.evictedForSpace;
  }
}

/** Distinct sources of the current bucket (a lower bound past `maxSources`). */
export function sourceCount(state: BucketState): number {
  return state.sources?.size ?? (state.firstSource === undefined ? 0 : 1);
}

/** The source with the most events in the current bucket and its share, for the detection's entity. */
export function topSourceOf(state: BucketState): { source: string; share: number } | undefined {
  if (state.sources === undefined)
    return state.firstSource === undefined ? undefined : { source: state.firstSource, share: 1 };
  return topSource(state.sources);
}

/** The source with the most events in a bucket and its share, for the detection's entity. */
export function topSource(
  sources: ReadonlyMap<string, number>,
): { source: string; share: number } | undefined {
  let best: string | undefined;
  let bestCount = 0;
  let total = 0;
  for (const [source, n] of sources) {
    total += n;
    if (n > bestCount || (n === bestCount && best !== undefined && source < best)) {
      best = source;
      bestCount = n;
    }
  }
  return best === undefined ? undefined : { source: best, share: bestCount / total };
}
