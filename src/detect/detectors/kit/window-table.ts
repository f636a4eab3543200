/**
 * Sliding windows keyed by entity (detect, built-in detectors): a BoundedMap of EventWindows
 * whose keys expire once their window has emptied. The building block of the threshold
 * rules ("10 accounts from one address in 10 minutes").
 *
 * @example
 *   const byIp = new WindowTable({ windowMs: 600_000, maxKeys: 100_000, maxEntriesPerKey: 500 });
 *   const window = byIp.add(ip, { t: nowMs, id: event.id, failed, a: account, b: undefined, amount: 0 });
 */
import { BoundedMap } from './bounded-map.js';
import { EventWindow, type WindowEntry } from './event-window.js';

export interface WindowTableOptions {
  windowMs: number;
  maxKeys: number;
  maxEntriesPerKey: number;
}

const newWindow = (): EventWindow => new EventWindow();

export class WindowTable {
  private readonly table: BoundedMap<EventWindow>;

  constructor(private readonly options: WindowTableOptions) {
    this.table = new BoundedMap<EventWindow>(options.maxKeys, options.windowMs);
  }

  /** Adds the entry to the key's window (expiring what left it) and returns the window. */
  add(key: string, entry: WindowEntry): EventWindow {
    const { maxEntriesPerKey, windowMs } = this.options;
    const window = this.table.upsert(key, entry.t, newWindow);
    window.expire(entry.t - windowMs);
    window.add(entry, maxEntriesPerKey);
    return window;
  }

  /** The key's window as of nowMs, without adding to it. */
  peek(key: string, nowMs: number): EventWindow | undefined {
    const window = this.table.peek(key, nowMs);
    window?.expire(nowMs - this.options.windowMs);
    return window;
  }

  sweep(nowMs: number): void {
    this.table.sweep(nowMs);
  }

  get size(): number {
    return this.table.size;
  }

  /** Keys forgotten to honour maxKeys (not expiry): a sign the bound is too tight. */
  get evictedForSpace(): number {
    return this.table.evictedForSpace;
  }
}
