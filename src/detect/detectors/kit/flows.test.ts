import { describe, expect, it } from 'vitest';
import { BucketBaseline, topSource } from './baseline.js';
import { isProbe, isReply, isSynOnly, networkSet, protocolOf, type Flow } from './flows.js';

const flow = (fields: Partial<Flow>): Flow => ({
  srcIp: '203.0.113.1',
  dstIp: '10.0.0.1',
  srcPort: 40_000,
  dstPort: 443,
  protocol: 'tcp',
  bytes: 5000,
  packets: 20,
  startMs: 0,
  endMs: 1000,
  ...fields,
});

describe('reading flows', () => {
  it('names protocols given as IANA numbers', () => {
    expect(['6', '17', '1', '58', 'TCP', 'sctp'].map((p) => protocolOf(flow({ protocol: p })))).toEqual([
      'tcp',
      'udp',
      'icmp',
      'icmp',
      'tcp',
      'sctp',
    ]);
  });

  it('tells probes from connections', () => {
    expect(isProbe(flow({ tcpFlags: 0x02, packets: 1, bytes: 44 }))).toBe(true);
    expect(isProbe(flow({ state: 'REJ' }))).toBe(true);
    expect(isProbe(flow({ tcpFlags: 0x16, packets: 3, bytes: 164 }))).toBe(true); // connect scan
    expect(isProbe(flow({ tcpFlags: 0x1b }))).toBe(false);
    expect(isProbe(flow({ state: 'SF' }))).toBe(false);
    expect(isProbe(flow({ protocol: 'udp', packets: 1, bytes: 40 }))).toBe(true);
    expect(isProbe(flow({ protocol: 'icmp', packets: 1, bytes: 40 }))).toBe(false);
    expect(isSynOnly(flow({ tcpFlags: 0x02 }))).toBe(true);
    expect(isSynOnly(flow({ tcpFlags: 0x12 }))).toBe(false);
    expect(isSynOnly(flow({ protocol: 'udp', state: 'S0' }))).toBe(false);
  });

  it('recognises the answer half of a one-way record', () => {
    expect(isReply(flow({ srcPort: 443, dstPort: 51_000 }))).toBe(true);
    expect(isReply(flow({ srcPort: 3389, dstPort: 51_000, tcpFlags: 0x14, packets: 1 }))).toBe(true);
    expect(isReply(flow({ srcPort: 51_000, dstPort: 443 }))).toBe(false);
  });

  it('matches addresses against networks, v4, v6 and v4-mapped, and nothing else', () => {
    const set = networkSet(['10.0.0.0/8', '2001:db8::/32', '192.0.2.7']);
    expect(['10.9.9.9', '::ffff:10.1.1.1', '2001:db8:1::5', '192.0.2.7'].map((ip) => set.has(ip))).toEqual([
      true,
      true,
      true,
      true,
    ]);
    expect(['11.0.0.1', '192.0.2.8', 'not-an-ip', ''].map((ip) => set.has(ip))).toEqual([
      false,
      false,
      false,
      false,
    ]);
  });
});

describe('learned per-key rates', () => {
  it('averages closed buckets, decays over quiet ones and skips anomalous ones', () => {
    const rates = new BucketBaseline({ bucketMs: 1000, alpha: 0.5, figures: 1, maxKeys: 10 });
    rates.add('k', 0, [10], 'e1');
    let state = rates.add('k', 1000, [20], 'e2');
    expect(state.mean[0]).toBe(10);
    expect(state.buckets).toBe(1);
    state.anomalous = true;
    state = rates.add('k', 2000, [4], 'e3');
    expect(state.mean[0]).toBe(10); // the anomalous bucket of 20 was not learned
    state = rates.add('k', 5000, [0], 'e4');
    // bucket of 4 learned (7), then two empty buckets halve it twice.
    expect(state.mean[0]).toBeCloseTo(1.75);
    expect(state.buckets).toBe(4);
  });

  it('stays within maxKeys and counts what it had to forget', () => {
    const rates = new BucketBaseline({ bucketMs: 1000, alpha: 0.5, figures: 1, maxKeys: 5 });
    for (let i = 0; i < 50; i++) rates.add(`k${i}`, i, [1], `e${i}`, `s${i}`);
    expect(rates.size).toBe(5);
    expect(rates.evictedForSpace).toBe(45);
  });

  it('names the dominant source of a bucket', () => {
    expect(
      topSource(
        new Map([
          ['a', 3],
          ['b', 1],
        ]),
      ),
    ).toEqual({ source: 'a', share: 0.75 });
    expect(topSource(new Map())).toBeUndefined();
  });
});
