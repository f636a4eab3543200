/** The per-device table: counters (duplicates, order, restarts), token buckets and the bound. */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { DeviceTable } from './device-table.js';
import { deliveryTopic, parseDeliveryTopic } from './schema.js';

const cases = JSON.parse(readFileSync(new URL('./fixtures/seq-cases.json', import.meta.url), 'utf8')) as {
  name: string;
  window: number;
  seqs: number[];
  verdicts: string[];
}[];

describe('device counters', () => {
  it.each(cases.map((c) => [c.name, c] as const))('%s', (_name, c) => {
    const table = new DeviceTable({ maxDevices: 10, ratePerSecond: 1, burst: 1000, seqWindow: c.window });
    const verdicts = c.seqs.map((seq) => {
      table.admit('d', 0);
      return table.observeSeq('d', seq);
    });
    expect(verdicts).toEqual(c.verdicts);
  });

  it('recognises every repeat of a shuffled stream within the window, and nothing else', () => {
    const table = new DeviceTable({ maxDevices: 10, ratePerSecond: 1, burst: 1e9, seqWindow: 1024 });
    const order = Array.from({ length: 3000 }, (_v, i) => i + ((i * 7919) % 13) - 6).filter((n) => n >= 0);
    const seen = new Set<number>();
    for (const seq of order) {
      table.admit('d', 0);
      const verdict = table.observeSeq('d', seq);
      expect(verdict === 'duplicate', `seq ${seq}`).toBe(seen.has(seq));
      seen.add(seq);
    }
  });
});

describe('the bound', () => {
  // With one token and no refill, `admit` says whether the device was remembered: a forgotten
  // device comes back with a full bucket, a remembered one has spent its token.
  const table = () => new DeviceTable({ maxDevices: 3, ratePerSecond: 0, burst: 1, seqWindow: 32 });

  it('forgets the device heard from least recently, not the one first heard', () => {
    const devices = table();
    expect(['a', 'b', 'c'].map((key) => devices.admit(key, 0))).toEqual([true, true, true]);
    expect(devices.admit('a', 0)).toBe(false);
    expect(devices.admit('d', 0)).toBe(true);
    expect(devices.evictions).toBe(1);
    expect(devices.admit('a', 0)).toBe(false);
    expect(devices.admit('b', 0)).toBe(true);
    expect(devices.admit('c', 0)).toBe(true);
    expect(devices.admit('a', 0)).toBe(false);
    expect(devices.size).toBe(3);
    expect(devices.evictions).toBe(3);
  });

  it('agrees with a plain least-recently-heard list over a long mixed stream', () => {
    const devices = table();
    let order: string[] = [];
    let evictions = 0;
    for (let i = 0; i < 5000; i++) {
      const key = `d${(i * 7919 + ((i * i) % 11)) % 7}`;
      const remembered = order.includes(key);
      expect(devices.admit(key, 0), `message ${i} from ${key}`).toBe(!remembered);
      order = [...order.filter((each) => each !== key), key];
      if (order.length > 3) {
        order.shift();
        evictions++;
      }
      // The message's counter goes to the same device state, remembered or new.
      expect(devices.observeSeq(key, i)).toBe('new');
    }
    expect(devices.size).toBe(3);
    expect(devices.evictions).toBe(evictions);
  });
});

/** The verdicts as the table documents them, with a set of the counters in the window. */
class ReferenceCounters {
  private highest = -1;
  private seen = new Set<number>();

  constructor(
    private readonly span: number,
    private readonly resetGap: number,
  ) {}

  observe(seq: number): string {
    if (this.highest < 0 || seq > this.highest) {
      this.highest = seq;
      this.seen.add(seq);
      for (const old of this.seen) if (old <= seq - this.span) this.seen.delete(old);
      return 'new';
    }
    const back = this.highest - seq;
    if (back >= this.span) {
      if (back < this.resetGap) return 'out_of_order';
      this.highest = seq;
      this.seen = new Set([seq]);
      return 'reset';
    }
    if (this.seen.has(seq)) return 'duplicate';
    this.seen.add(seq);
    return 'out_of_order';
  }
}

describe('counters against a reference', () => {
  it.each([32, 96, 1024])(
    'agrees on a stream of repeats, late counters, jumps and restarts (window %i)',
    (window) => {
      const resetGap = 10_000;
      const devices = new DeviceTable({
        maxDevices: 10,
        ratePerSecond: 1,
        burst: 1e9,
        seqWindow: window,
        resetGap,
      });
      const reference = new ReferenceCounters(window, resetGap);
      // Seeded steps: mostly +1, some repeats and late counters within and past the window,
      // jumps of up to three windows, and now and then a restart from near zero.
      let state = 12345;
      const random = () => (state = (Math.imul(state, 1103515245) + 12345) >>> 0) / 2 ** 32;
      let seq = 0;
      const verdicts = new Set<string>();
      for (let i = 0; i < 20_000; i++) {
        const roll = random();
        let next: number;
        if (roll < 0.5) next = seq + 1;
        else if (roll < 0.7) next = Math.max(0, seq - Math.floor(random() * window * 1.5));
        else if (roll < 0.9) next = seq + 1 + Math.floor(random() * window * 3);
        else if (roll < 0.995) next = seq;
        else next = Math.floor(random() * 10);
        devices.admit('d', 0);
        const verdict = devices.observeSeq('d', next);
        expect(verdict, `message ${i}: counter ${next} after ${seq}`).toBe(reference.observe(next));
        verdicts.add(verdict);
        seq = Math.max(seq, next);
        if (verdict === 'reset') seq = next;
      }
      expect([...verdicts].sort()).toEqual(['duplicate', 'new', 'out_of_order', 'reset']);
    },
  );
});

describe('counter windows', () => {
  it('keeps each device its own window, as the table grows and a forgotten device makes room', () => {
    const devices = new DeviceTable({ maxDevices: 150, ratePerSecond: 1, burst: 1e9, seqWindow: 64 });
    const verdicts = (keys: string[], seqs: number[]) =>
      keys.flatMap((key) =>
        seqs.map((seq) => {
          devices.admit(key, 0);
          return devices.observeSeq(key, seq);
        }),
      );
    const first = Array.from({ length: 150 }, (_v, i) => `a${i}`);
    // Interleaved: every device's counters 1-40 (past one word of the window), then repeats.
    for (let seq = 1; seq <= 40; seq++) expect(new Set(verdicts(first, [seq]))).toEqual(new Set(['new']));
    expect(new Set(verdicts(first, [1, 17, 33, 40]))).toEqual(new Set(['duplicate']));
    expect(new Set(verdicts(first, [41]))).toEqual(new Set(['new']));
    // 100 new devices take the windows of the 100 heard from least recently (a0-a99)…
    const second = Array.from({ length: 100 }, (_v, i) => `b${i}`);
    expect(new Set(verdicts(second, [40, 41]))).toEqual(new Set(['new']));
    expect(devices.evictions).toBe(100);
    // …whose counters start afresh, while a100-a149 still know theirs.
    expect(new Set(verdicts(first.slice(100), [41]))).toEqual(new Set(['duplicate']));
    expect(new Set(verdicts(second, [41]))).toEqual(new Set(['duplicate']));
    expect(verdicts(['a0'], [41, 41])).toEqual(['new', 'duplicate']);
  });
});

describe('topics', () => {
  it('builds and parses the same topic, under any root', () => {
    const topic = { site: 'berlin-1', deviceKind: 'locker', deviceId: 'lk:0042', channel: 'door' } as const;
    expect(deliveryTopic(topic)).toBe('ensuresec/v1/berlin-1/locker/lk:0042/door');
    expect(parseDeliveryTopic(deliveryTopic(topic, 'a/b'), 'a/b')).toEqual({ ok: true, value: topic });
  });

  it('refuses ids that are no topic level and channels the kind does not have', () => {
    const base = { site: 's', deviceKind: 'vehicle', deviceId: 'v', channel: 'gps' } as const;
    expect(() => deliveryTopic({ ...base, deviceId: 'a/b' })).toThrow(RangeError);
    expect(() => deliveryTopic({ ...base, site: '+' })).toThrow(RangeError);
    expect(() => deliveryTopic({ ...base, channel: 'door' })).toThrow(RangeError);
    expect(parseDeliveryTopic('other/v1/s/vehicle/v/gps')).toEqual({ ok: false, problem: 'not_under_root' });
    expect(parseDeliveryTopic('ensuresec/v1/s/boat/v/gps')).toEqual({
      ok: false,
      problem: 'bad_device_kind',
    });
  });
});

describe('token buckets', () => {
  it('refills at the configured rate, never beyond the burst', () => {
    const table = new DeviceTable({ maxDevices: 10, ratePerSecond: 2, burst: 3, seqWindow: 32 });
    const admitted = (atMs: number, count: number) =>
      Array.from({ length: count }, () => table.admit('d', atMs)).filter(Boolean).length;
    expect(admitted(0, 5)).toBe(3);
    expect(admitted(1000, 5)).toBe(2);
    expect(admitted(100_000, 10)).toBe(3);
  });
});
