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
