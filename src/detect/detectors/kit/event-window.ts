/**
 * A sliding window of events for one entity (detect, built-in detectors): the events of the
 * last `windowMs`, at most `maxEntries` of them (the oldest go first), with running counts of
 * failures and of distinct values on two dimensions (`a`, `b`: accounts, cards, paths...).
 * Distinct counts are kept incrementally, so a check costs O(1) whatever the window holds;
 * the maps (and the array) are only built once a window holds two events, so the many
 * entities seen once cost one small object each.
 *
 * @example
 *   const window = new EventWindow();
 *   window.add({ t: nowMs, id: event.id, failed: true, a: accountKey, b: undefined, amount: 0 }, 200);
 *   window.expire(nowMs - 600_000);
 *   if (window.size >= 10 && window.distinctA >= 10) ...
 */
import type { Stamped } from './bounded-map.js';

export interface WindowEntry {
  /** Event time, ms. */
  t: number;
  /** The event's id, for the detection's evidence. */
  id: string;
  failed: boolean;
  a: string | undefined;
  b: string | undefined;
  /** A number that travels with the event (an amount, a quantity); 0 when none. */
  amount: number;
}

const COMPACT_AFTER = 32;
const NO_ENTRIES: WindowEntry[] = [];

export class EventWindow implements Stamped {
  /** Stamps for the BoundedMap that holds the window (one object per key, not two). */
  lastMs = 0;
  positionMs = 0;
  /** A window of one event keeps it here, without an array: most keys never see a second. */
  private single: WindowEntry | undefined;
  private entries: WindowEntry[] = NO_ENTRIES;
  private head = 0;
  private failureCount = 0;
  private countsA: Map<string, number> | undefined;
  private countsB: Map<string, number> | undefined;

  get size(): number {
    return this.single !== undefined ? 1 : this.entries.length - this.head;
  }

  get failures(): number {
    return this.failureCount;
  }

  get distinctA(): number {
    if (this.countsA) return this.countsA.size;
    return this.first()?.a !== undefined ? 1 : 0;
  }

  get distinctB(): number {
    if (this.countsB) return this.countsB.size;
    return this.first()?.b !== undefined ? 1 : 0;
  }

  first(): WindowEntry | undefined {
    return this.single ?? this.entries[this.head];
  }

  /** Adds an entry; past `maxEntries` the oldest goes, and the counts become lower bounds. */
  add(entry: WindowEntry, maxEntries: number): void {
    if (this.size === 0) {
      this.single = entry;
    } else {
      if (this.size === 1) this.toArray();
      this.entries.push(entry);
      increment(this.countsA, entry.a);
      increment(this.countsB, entry.b);
    }
    if (entry.failed) this.failureCount++;
    if (this.size > maxEntries) this.dropFirst();
  }

  /** Forgets the entries older than cutoffMs. */
  expire(cutoffMs: number): void {
    for (let entry = this.first(); entry !== undefined && entry.t < cutoffMs; entry = this.first()) {
      this.dropFirst();
    }
  }

  /** The live entries, oldest first. */
  *live(): IterableIterator<WindowEntry> {
    if (this.single !== undefined) yield this.single;
    for (let i = this.head; i < this.entries.length; i++) yield this.entries[i] as WindowEntry;
  }

  /** Event ids of the live entries, those matching `prefer` first, at most `limit`. */
  eventIds(limit = 1000, prefer?: (entry: WindowEntry) => boolean): string[] {
    const preferred: string[] = [];
    const rest: string[] = [];
    for (const entry of this.live()) (prefer?.(entry) ? preferred : rest).push(entry.id);
    return preferred.concat(rest).slice(0, limit);
  }

  /** Sum of `amount` over the live entries. */
  sum(): number {
    let total = 0;
    for (const entry of this.live()) total += entry.amount;
    return total;
  }

  /** Number of live entries matching `filter`. */
  count(filter: (entry: WindowEntry) => boolean): number {
    let n = 0;
    for (const entry of this.live()) if (filter(entry)) n++;
    return n;
  }

  private toArray(): void {
    const only = this.first() as WindowEntry;
    this.single = undefined;
    this.entries = [only];
    this.head = 0;
    this.countsA = new Map();
    this.countsB = new Map();
    increment(this.countsA, only.a);
    increment(this.countsB, only.b);
  }

  private dropFirst(): void {
    const entry = this.first();
    if (entry === undefined) return;
    if (entry.failed) this.failureCount--;
    if (this.single !== undefined) {
      this.single = undefined;
      return;
    }
    this.head++;
    decrement(this.countsA, entry.a);
    decrement(this.countsB, entry.b);
    if (this.head === this.entries.length) {
      this.entries = NO_ENTRIES;
      this.head = 0;
      this.countsA = undefined;
      this.countsB = undefined;
    } else if (this.head >= COMPACT_AFTER && this.head * 2 >= this.entries.length) {
      this.entries = this.entries.slice(this.head);
      this.head = 0;
    }
  }
}

function increment(counts: Map<string, number> | undefined, value: string | undefined): void {
  if (counts === undefined || value === undefined) return;
  counts.set(value, (counts.get(value) ?? 0) + 1);
}

function decrement(counts: Map<string, number> | undefined, value: string | undefined): void {
  if (counts === undefined || value === undefined) return;
  const n = (counts.get(value) ?? 0) - 1;
  if (n <= 0) counts.delete(value);
  else counts.set(value, n);
}
