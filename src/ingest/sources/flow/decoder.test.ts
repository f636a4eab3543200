import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { securityEventSchema, type SecurityEvent } from '../../../core/records/index.js';
import { FlowDecoder } from './decoder.js';
import { FLOW_DROP_REASONS, type FlowDropReason } from './metrics.js';
import { encodeIpfix, encodeV5, encodeV9, V9_FLOW_FIELDS, type SetSpec } from './testing/encoder.js';
import { readHexDatagrams } from './testing/hex.js';

const fixture = (name: string) => new URL(`./fixtures/${name}`, import.meta.url);
const RECEIVED_MS = Date.parse('2026-11-27T06:00:00Z');
const LIMITS = { maxExporters: 8, maxTemplatesPerExporter: 16, maxSequenceGap: 1_000_000 };

function decodeAll(
  datagrams: Buffer[],
  decoder = new FlowDecoder({ name: 'flows', ...LIMITS }),
  exporter = '192.0.2.1',
) {
  const events: SecurityEvent[] = [];
  for (const datagram of datagrams) decoder.decode(datagram, exporter, RECEIVED_MS, events);
  return { decoder, events, counters: decoder.counters };
}

function droppedTotal(dropped: Record<FlowDropReason, number>): number {
  return Object.values(dropped).reduce((sum, n) => sum + n, 0);
}

interface Expected {
  flows: SecurityEvent['flow'][];
  counters: Record<string, number>;
  dropped?: Partial<Record<FlowDropReason, number>>;
}

describe('flow decoder', () => {
  for (const name of ['v5-sampled', 'v9-options-sampling', 'ipfix-varlen-ipv6']) {
    it(`decodes ${name}.hex into the flows of ${name}.expected.json`, () => {
      const expected = JSON.parse(readFileSync(fixture(`${name}.expected.json`), 'utf8')) as Expected;
      const { events, counters } = decodeAll(readHexDatagrams(fixture(`${name}.hex`)));
      expect(events.map((event) => event.flow)).toEqual(expected.flows);
      expect(counters).toMatchObject(expected.counters);
      expect(counters.dropped).toEqual({ ...zeroDrops(), ...expected.dropped });
      for (const event of events) {
        expect(securityEventSchema.parse(event)).toEqual(event);
        expect(event.kind).toBe('flow');
      }
    });
  }

  it('gives each event a unique id and the flow end as its time when the clock is sane', () => {
    const { events } = decodeAll(readHexDatagrams(fixture('v9-options-sampling.hex')));
    expect(new Set(events.map((event) => event.id)).size).toBe(events.length);
    // 2025-11-24 is far more than a day before RECEIVED_MS: the arrival time stands in.
    expect(events[0]?.time).toBe(new Date(RECEIVED_MS).toISOString());
    const recent = decodeAll([
      encodeV5({
        sysUptimeMs: 10_000,
        unixSecs: RECEIVED_MS / 1000 - 5,
        sequence: 0,
        records: [
          {
            srcIp: '10.0.0.1',
            dstIp: '10.0.0.2',
            srcPort: 1,
            dstPort: 2,
            protocol: 17,
            packets: 1,
            bytes: 1,
            firstMs: 9_000,
            lastMs: 9_000,
          },
        ],
      }),
    ]);
    expect(recent.events[0]?.time).toBe(new Date(RECEIVED_MS - 6_000).toISOString());
  });

  for (const [name, tcpPort, udpPort] of [
    ['softflowd-v5', 40005, 41005],
    ['softflowd-v9', 40009, 41009],
    ['softflowd-ipfix', 40010, 41010],
  ] as const) {
    it(`reads ${name}.hex, a real softflowd export, without a drop or a lost record`, () => {
      const datagrams = readHexDatagrams(fixture(`${name}.hex`));
      const { events, counters } = decodeAll(datagrams, undefined, '127.0.0.1');
      expect(counters.datagrams).toBe(datagrams.length);
      expect(droppedTotal(counters.dropped)).toBe(0);
      expect(
        counters.lostRecords + counters.lostDatagrams + counters.sequenceResets + counters.sequenceJumps,
      ).toBe(0);
      expect(events.length).toBeGreaterThan(20);
      const tcp = events.filter((event) => event.flow?.dstPort === tcpPort && event.flow.protocol === 'tcp');
      const udp = events.filter((event) => event.flow?.dstPort === udpPort && event.flow.protocol === 'udp');
      expect(tcp).toHaveLength(1);
      expect(tcp[0]?.flow).toMatchObject({ srcIp: '127.0.0.1', dstIp: '127.0.0.1', packets: 4, bytes: 216 });
      expect((tcp[0]?.flow?.tcpFlags ?? 0) & 0x02).toBe(0x02);
      expect(udp[0]?.flow).toMatchObject({ packets: 1, bytes: 29 });
      for (const event of events) {
        expect(event.time.startsWith('2026-11-27T05:3')).toBe(true);
        expect(securityEventSchema.safeParse(event).success).toBe(true);
      }
    });
  }
});

function zeroDrops(): Record<FlowDropReason, number> {
  return Object.fromEntries(Object.keys(FLOW_DROP_REASONS).map((reason) => [reason, 0])) as Record<
    FlowDropReason,
    number
  >;
}

interface BadCase {
  name: string;
  datagrams: string[];
  dropped: Partial<Record<FlowDropReason, number>>;
  templates?: number;
}

describe('flow decoder on bad input', () => {
  const { cases } = JSON.parse(readFileSync(fixture('bad-datagrams.json'), 'utf8')) as { cases: BadCase[] };
  for (const badCase of cases) {
    it(`counts and drops ${badCase.name}`, () => {
      const { events, counters } = decodeAll(badCase.datagrams.map((hex) => Buffer.from(hex, 'hex')));
      expect(events).toEqual([]);
      expect(counters.dropped).toEqual({ ...zeroDrops(), ...badCase.dropped });
      expect(counters.templates).toBe(badCase.templates ?? 0);
    });
  }

  it('survives 10 000 random mutations of valid datagrams without a throw or an invalid event', () => {
    const seeds = ['v5-sampled', 'v9-options-sampling', 'ipfix-varlen-ipv6', 'softflowd-ipfix'].flatMap(
      (name) => readHexDatagrams(fixture(`${name}.hex`)),
    );
    let state = 0x2545f491;
    const random = () => {
      state ^= state << 13;
      state ^= state >>> 17;
      state ^= state << 5;
      return (state >>> 0) / 4_294_967_296;
    };
    const decoder = new FlowDecoder({ name: 'fuzz', ...LIMITS });
    for (let i = 0; i < 10_000; i++) {
      const seed = seeds[i % seeds.length]!;
      const datagram = Buffer.from(
        seed.subarray(0, Math.max(1, Math.floor(seed.length * (0.5 + random() / 2)))),
      );
      for (let flips = 1 + Math.floor(random() * 4); flips > 0; flips--)
        datagram[Math.floor(random() * datagram.length)] = Math.floor(random() * 256);
      const events: SecurityEvent[] = [];
      expect(() => decoder.decode(datagram, `10.0.0.${i % 20}`, RECEIVED_MS, events)).not.toThrow();
      for (const event of events) expect(securityEventSchema.safeParse(event).success).toBe(true);
    }
    expect(decoder.counters.exporters).toBeLessThanOrEqual(LIMITS.maxExporters);
    expect(decoder.counters.templates).toBeLessThanOrEqual(
      LIMITS.maxExporters * LIMITS.maxTemplatesPerExporter,
    );
    expect(droppedTotal(decoder.counters.dropped)).toBeGreaterThan(0);
  });
});

function v9(sequence: number, sets: SetSpec[], sysUptimeMs = 1_000_000 + sequence) {
  return encodeV9({ sysUptimeMs, unixSecs: RECEIVED_MS / 1000, sequence, sourceId: 0, sets });
}

describe('flow decoder bounds', () => {
  it('keeps at most maxTemplatesPerExporter templates under a template flood and counts the evictions', () => {
    const flood = Array.from({ length: 500 }, (_, i) =>
      v9(i + 1, [{ templates: [{ id: 256 + i, fields: V9_FLOW_FIELDS }] }]),
    );
    const { counters, decoder } = decodeAll(flood);
    expect(counters.templates).toBe(LIMITS.maxTemplatesPerExporter);
    expect(counters.templateEvictions).toBe(500 - LIMITS.maxTemplatesPerExporter);
    // The newest templates are the ones kept: data for the last works, for the first is unknown.
    const record = [['10.0.0.1', '10.0.0.2', 1, 2, 6, 2, 1, 40, 0, 0]];
    const after = decodeAll(
      [
        v9(501, [{ data: { templateId: 256 + 499, fields: V9_FLOW_FIELDS, records: record } }]),
        v9(502, [{ data: { templateId: 256, fields: V9_FLOW_FIELDS, records: record } }]),
      ],
      decoder,
    );
    expect(after.events).toHaveLength(1);
    expect(after.counters.dropped.unknown_template).toBe(1);
  });

  it('keeps at most maxExporters exporters and forgets the least recently heard', () => {
    const decoder = new FlowDecoder({ name: 'flows', ...LIMITS });
    const template = v9(1, [{ templates: [{ id: 256, fields: V9_FLOW_FIELDS }] }]);
    for (let i = 0; i < 100; i++) decoder.decode(template, `10.9.0.${i}`, RECEIVED_MS, []);
    expect(decoder.counters.exporters).toBe(LIMITS.maxExporters);
    expect(decoder.counters.templates).toBe(LIMITS.maxExporters);
    expect(decoder.counters.exporterEvictions).toBe(100 - LIMITS.maxExporters);
  });

  it('replaces a template sent again under the same id without growing', () => {
    const again = [1, 2, 3].map((sequence) =>
      v9(sequence, [{ templates: [{ id: 300, fields: V9_FLOW_FIELDS }] }]),
    );
    const { counters } = decodeAll(again);
    expect(counters.templates).toBe(1);
    expect(counters.templatesLearned).toBe(3);
    expect(counters.templateEvictions).toBe(0);
  });
});

describe('flow decoder sequence numbers', () => {
  const template: SetSpec = { templates: [{ id: 256, fields: V9_FLOW_FIELDS }] };

  it('counts NetFlow v9 datagrams lost between sequence numbers', () => {
    const { counters } = decodeAll([v9(10, [template]), v9(11, [template]), v9(15, [template])]);
    expect(counters.lostDatagrams).toBe(3);
    expect(counters.sequenceJumps + counters.sequenceResets).toBe(0);
  });

  it('calls a forged jump a jump and a number going back a reset, never loss', () => {
    const { counters } = decodeAll([
      v9(10, [template]),
      v9(10 + 5_000_000, [template]),
      v9(10 + 5_000_001, [template]),
      v9(7, [template], 2_000_000),
    ]);
    expect(counters.sequenceJumps).toBe(1);
    expect(counters.sequenceResets).toBe(1);
    expect(counters.lostDatagrams).toBe(0);
  });

  it('takes a sysUptime that went back for an exporter restart', () => {
    const { counters } = decodeAll([v9(100, [template], 5_000_000), v9(1, [template], 2_000)]);
    expect(counters.sequenceResets).toBe(1);
    expect(counters.lostDatagrams).toBe(0);
  });

  it('counts NetFlow v5 records lost (its sequence counts flows)', () => {
    const record = {
      srcIp: '10.0.0.1',
      dstIp: '10.0.0.2',
      srcPort: 1,
      dstPort: 2,
      protocol: 6,
      packets: 1,
      bytes: 1,
      firstMs: 0,
      lastMs: 0,
    };
    const v5 = (sequence: number, n: number) =>
      encodeV5({ sysUptimeMs: 1000, unixSecs: RECEIVED_MS / 1000, sequence, records: Array(n).fill(record) });
    const { counters, events } = decodeAll([v5(0, 3), v5(3, 2), v5(12, 1)]);
    expect(events).toHaveLength(6);
    expect(counters.lostRecords).toBe(7);
  });

  it('counts IPFIX records lost, whether the exporter counts a message before or after its own records', () => {
    const fields = V9_FLOW_FIELDS;
    const record = ['10.0.0.1', '10.0.0.2', 1, 2, 6, 2, 1, 40, 0, 0];
    const message = (sequence: number, n: number, domainId: number) =>
      encodeIpfix({
        exportSecs: RECEIVED_MS / 1000,
        sequence,
        domainId,
        sets: [
          { templates: [{ id: 256, fields }] },
          { data: { templateId: 256, fields, records: Array(n).fill(record) } },
        ],
      });
    // RFC 7011: records before this message. 2 + 2 = 4 expected, 9 arrives: 5 lost.
    const rfc = decodeAll([message(0, 2, 1), message(2, 2, 1), message(9, 2, 1)]);
    expect(rfc.counters.lostRecords).toBe(5);
    // softflowd: records including this message's own.
    const inclusive = decodeAll([message(2, 2, 2), message(4, 2, 2), message(6, 2, 2), message(10, 2, 2)]);
    expect(inclusive.counters.lostRecords).toBe(2);
    expect(inclusive.counters.sequenceResets).toBe(0);
  });
});
