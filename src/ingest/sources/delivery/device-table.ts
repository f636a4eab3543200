/**
 * What the delivery source remembers per device (ingest, delivery source): a token bucket
 * (a device flooding the broker has its excess dropped) and a window of the message counters
 * it saw (duplicates, out-of-order messages). At most `maxDevices` devices are remembered;
 * the one heard from least recently is forgotten first, so memory stays bounded whatever
 * ids a sender makes up.
 *
 * @example
 * const table = new DeviceTable({ maxDevices: 100_000, ratePerSecond: 20, burst: 100, seqWindow: 1024 });
 * table.admit('s1/locker/lk-1', Date.now()); // false once the device is over its rate
 * table.observeSeq('s1/locker/lk-1', 42); // 'new' | 'duplicate' | 'out_of_order' | 'reset'
 */

export interface DeviceTableOptions {
  maxDevices: number;
  /** Messages a second a device may send on average… */
  ratePerSecond: number;
  /** …and in one burst. */
  burst: number;
  /** How many counters back a duplicate is recognised (a multiple of 32). */
  seqWindow: number;
  /** A counter this far below the highest seen means the device restarted its counter. */
  resetGap?: number;
}

export type SeqVerdict = 'new' | 'duplicate' | 'out_of_order' | 'reset';

interface DeviceState {
  key: string;
  tokens: number;
  refilledMs: number;
  /** Highest counter seen; -1 before the first. */
  highestSeq: number;
  /**
   * Where the device's window of counters starts in the table's `windows`: a ring of `words`
   * × 32 bits (the span) in which bit `c % span` says whether counter c was seen, for the
   * counters within the span below and at `highestSeq`. Moving up clears only the places of
   * the counters that leave, where shifting the whole window touched every word each time.
   */
  offset: number;
  /** The device heard from just before this one (towards the least recent), or null. */
  older: DeviceState | null;
  /** The device heard from just after this one (towards the most recent), or null. */
  newer: DeviceState | null;
}

export class DeviceTable {
  private readonly devices = new Map<string, DeviceState>();
  /**
   * The devices in the order they were last heard from, a list threaded through their states:
   * moving one to the end costs a few pointers, where deleting and setting the Map's entry
   * (to keep the Map's own order) churned its hash table and stored each message's fresh key
   * string in it, for the garbage collector to promote.
   */
  private leastRecent: DeviceState | null = null;
  private mostRecent: DeviceState | null = null;
  private readonly words: number;
  /**
   * Every device's window, one after the other, grown as devices arrive (a forgotten device's
   * window and state go to the next new one): a typed array of its own per device cost about
   * 300 bytes beside its 128-byte window with the default 1,024 counters.
   */
  private windows: Uint32Array;
  /** Windows handed out so far (each `words` long). */
  private windowsUsed = 0;
  private readonly resetGap: number;
  /** Devices forgotten to keep the table within `maxDevices`. */
  evictions = 0;
  /** The device `admit` saw last: `observeSeq` follows it for the same message. */
  private lastKey: string | undefined;
  private lastState: DeviceState | undefined;

  constructor(private readonly options: DeviceTableOptions) {
    this.words = Math.max(1, Math.ceil(options.seqWindow / 32));
    this.windows = new Uint32Array(this.words * Math.min(64, options.maxDevices));
    this.resetGap = options.resetGap ?? Math.max(10_000, this.words * 32 * 4);
  }

  get size(): number {
    return this.devices.size;
  }

  private state(key: string, nowMs: number): DeviceState {
    let state = this.devices.get(key);
    if (state) {
      if (state !== this.mostRecent) {
        this.unlink(state);
        this.append(state);
      }
    } else if (this.devices.size >= this.options.maxDevices && this.leastRecent) {
      // The device heard from least recently is forgotten; its state serves the new one.
      state = this.leastRecent;
      this.unlink(state);
      this.devices.delete(state.key);
      this.evictions++;
      state.key = key;
      state.tokens = this.options.burst;
      state.refilledMs = nowMs;
      state.highestSeq = -1;
      this.devices.set(key, state);
      this.append(state);
    } else {
      state = {
        key,
        tokens: this.options.burst,
        refilledMs: nowMs,
        highestSeq: -1,
        offset: this.nextWindow(),
        older: null,
        newer: null,
      };
      this.devices.set(key, state);
      this.append(state);
    }
    this.lastKey = key;
    this.lastState = state;
    return state;
  }

  /** The offset of a window not handed out yet, growing `windows` when it is full. */
  private nextWindow(): number {
    const offset = this.windowsUsed * this.words;
    if (offset + this.words > this.windows.length) {
      const grown = new Uint32Array(
        this.words * Math.min(this.options.maxDevices, Math.max(64, this.windowsUsed * 2)),
      );
      grown.set(this.windows);
      this.windows = grown;
    }
    this.windowsUsed++;
    return offset;
  }

  private unlink(state: DeviceState): void {
    if (state.older) state.older.newer = state.newer;
    else this.leastRecent = state.newer;
    if (state.newer) state.newer.older = state.older;
    else this.mostRecent = state.older;
    state.older = null;
    state.newer = null;
  }

  private append(state: DeviceState): void {
    state.older = this.mostRecent;
    if (this.mostRecent) this.mostRecent.newer = state;
    else this.leastRecent = state;
    this.mostRecent = state;
  }

  /** Takes one token from the device's bucket; false when it has none left (drop the message). */
  admit(key: string, nowMs: number): boolean {
    const state = this.state(key, nowMs);
    const elapsedMs = nowMs - state.refilledMs;
    if (elapsedMs > 0) {
      state.tokens = Math.min(
        this.options.burst,
        state.tokens + (elapsedMs * this.options.ratePerSecond) / 1000,
      );
      state.refilledMs = nowMs;
    }
    if (state.tokens < 1) return false;
    state.tokens -= 1;
    return true;
  }

  /** Records a message counter; call after `admit` (which makes the device known). */
  observeSeq(key: string, seq: number): SeqVerdict {
    // The state `admit` just looked up (an evicted device is no longer the last one admitted).
    const state = key === this.lastKey ? this.lastState : this.devices.get(key);
    if (!state) return 'new';
    const windows = this.windows;
    const start = state.offset;
    const span = this.words * 32;
    if (state.highestSeq < 0 || seq - state.highestSeq >= span) {
      windows.fill(0, start, start + this.words);
      setBit(windows, start, seq % span);
      state.highestSeq = seq;
      return 'new';
    }
    if (seq > state.highestSeq) {
      // The counters leaving the window had the places of the ones arriving.
      clearBits(windows, start, span, (state.highestSeq + 1) % span, seq - state.highestSeq);
      setBit(windows, start, seq % span);
      state.highestSeq = seq;
      return 'new';
    }
    const back = state.highestSeq - seq;
    if (back >= span) {
      if (back < this.resetGap) return 'out_of_order';
      windows.fill(0, start, start + this.words);
      setBit(windows, start, seq % span);
      state.highestSeq = seq;
      return 'reset';
    }
    const place = seq % span;
    const word = start + (place >>> 5);
    const bit = 1 << (place & 31);
    if ((windows[word]! & bit) !== 0) return 'duplicate';
    windows[word]! |= bit;
    return 'out_of_order';
  }
}

function setBit(windows: Uint32Array, start: number, place: number): void {
  windows[start + (place >>> 5)]! |= 1 << (place & 31);
}

/**
 * Clears `count` places (< `span`) of the ring of `span` bits at word `start`, from place
 * `from` on, wrapping at the end: a word at a time where it can, so a counter that jumps ahead
 * costs no more than the words it crosses.
 */
function clearBits(windows: Uint32Array, start: number, span: number, from: number, count: number): void {
  let place = from;
  let left = count;
  while (left > 0) {
    const bit = place & 31;
    // `span` is a multiple of 32: a run within one word never passes the ring's end.
    const run = Math.min(32 - bit, left);
    const mask = run === 32 ? 0xffffffff : ((1 << run) - 1) << bit;
    windows[start + (place >>> 5)]! &= ~mask;
    left -= run;
    place += run;
    if (place === span) place = 0;
  }
}
