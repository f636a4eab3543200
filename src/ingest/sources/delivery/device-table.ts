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
  tokens: number;
  refilledMs: number;
  /** Highest counter seen; -1 before the first. */
  highestSeq: number;
  /** Bit i of the window: counter `highestSeq - i` was seen. */
  seen: Uint32Array;
}

export class DeviceTable {
  private readonly devices = new Map<string, DeviceState>();
  private readonly words: number;
  private readonly resetGap: number;
  /** Devices forgotten to keep the table within `maxDevices`. */
  evictions = 0;
  /** The device `admit` saw last: `observeSeq` follows it for the same message. */
  private lastKey: string | undefined;
  private lastState: DeviceState | undefined;

  constructor(private readonly options: DeviceTableOptions) {
    this.words = Math.max(1, Math.ceil(options.seqWindow / 32));
    this.resetGap = options.resetGap ?? Math.max(10_000, this.words * 32 * 4);
  }

  get size(): number {
    return this.devices.size;
  }

  private state(key: string, nowMs: number): DeviceState {
    let state = this.devices.get(key);
    if (state) {
      // Re-inserted so the Map's order is least recently heard first.
      this.devices.delete(key);
    } else {
      state = {
        tokens: this.options.burst,
        refilledMs: nowMs,
        highestSeq: -1,
        seen: new Uint32Array(this.words),
      };
      if (this.devices.size >= this.options.maxDevices) {
        const oldest = this.devices.keys().next();
        if (!oldest.done) this.devices.delete(oldest.value);
        this.evictions++;
      }
    }
    this.devices.set(key, state);
    this.lastKey = key;
    this.lastState = state;
    return state;
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
    const span = this.words * 32;
    if (state.highestSeq < 0 || seq - state.highestSeq >= span) {
      state.seen.fill(0);
      state.seen[0] = 1;
      state.highestSeq = seq;
      return 'new';
    }
    if (seq > state.highestSeq) {
      shiftWindow(state.seen, seq - state.highestSeq);
      state.seen[0]! |= 1;
      state.highestSeq = seq;
      return 'new';
    }
    const back = state.highestSeq - seq;
    if (back >= span) {
      if (back < this.resetGap) return 'out_of_order';
      state.seen.fill(0);
      state.seen[0] = 1;
      state.highestSeq = seq;
      return 'reset';
    }
    const word = back >>> 5;
    const bit = 1 << (back & 31);
    if ((state.seen[word]! & bit) !== 0) return 'duplicate';
    state.seen[word]! |= bit;
    return 'out_of_order';
  }
}

/** Moves every bit `by` places towards older counters (`by` < the window's span). */
function shiftWindow(seen: Uint32Array, by: number): void {
  const wordShift = by >>> 5;
  const bitShift = by & 31;
  for (let i = seen.length - 1; i >= 0; i--) {
    const from = i - wordShift;
    let value = from >= 0 ? seen[from]! << bitShift : 0;
    if (bitShift > 0 && from - 1 >= 0) value |= seen[from - 1]! >>> (32 - bitShift);
    seen[i] = value >>> 0;
  }
}
