/**
 * A fixed-bucket histogram of plain numbers (gateway telemetry): observed per connection on
 * the front, read as a snapshot when Prometheus scrapes (server/gateway-metrics.ts), so the
 * gateway itself does not depend on a metrics library.
 *
 * @example const h = new Histogram([0.01, 0.1, 1]); h.observe(0.05); h.snapshot().counts // [0, 1, 0, 0]
 */

export interface HistogramSnapshot {
  /** Upper bounds (inclusive) of the buckets, ascending; the last, implicit bucket is +Inf. */
  bounds: readonly number[];
  /** Non-cumulative count per bucket; one more entry than `bounds` (+Inf). */
  counts: number[];
  sum: number;
  count: number;
}

export class Histogram {
  private readonly counts: number[];
  private sum = 0;
  private count = 0;

  constructor(readonly bounds: readonly number[]) {
    this.counts = new Array<number>(bounds.length + 1).fill(0);
  }

  observe(value: number): void {
    if (!(value >= 0)) return;
    let i = 0;
    while (i < this.bounds.length && value > (this.bounds[i] as number)) i++;
    this.counts[i] = (this.counts[i] as number) + 1;
    this.sum += value;
    this.count++;
  }

  snapshot(): HistogramSnapshot {
    return { bounds: this.bounds, counts: [...this.counts], sum: this.sum, count: this.count };
  }
}

/** Seconds, from a millisecond to ten minutes. */
export const SECONDS_BUCKETS = [0.001, 0.005, 0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 600];
/** Bytes per second, from 100 B/s to 1 GB/s. */
export const RATE_BUCKETS = [100, 1_000, 10_000, 100_000, 1_000_000, 10_000_000, 100_000_000, 1_000_000_000];
