import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { securityEventSchema, type SecurityEvent } from '../../../core/records/index.js';
import { malformedTotal } from '../access-log/metrics.js';
import type { LineResult } from '../access-log/source.js';
import { MemoryDeadLetterSink } from '../dead-letter.js';
import { ingestFile, type IngestFormat } from '../file-ingest.js';
import { createZeekLineParser, flagsFromHistory, type ZeekLog } from './parse.js';

const fixture = (name: string) => new URL(`./fixtures/${name}`, import.meta.url).pathname;

function parseAll(name: string, expect?: ZeekLog): LineResult[] {
  const parse = createZeekLineParser({ name: 'zeek', ...(expect ? { expect } : {}) });
  return readFileSync(fixture(name), 'utf8')
    .split('\n')
    .map((line, i) => parse(line, { file: name, offset: i }));
}

function events(name: string, expect?: ZeekLog): SecurityEvent[] {
  return parseAll(name, expect).flatMap((r) => (r?.ok ? [r.event] : []));
}

async function readFile(name: string, format: IngestFormat) {
  const deadLetters = new MemoryDeadLetterSink(100);
  const ingest = ingestFile(fixture(name), { format, name: 'zeek', deadLetters });
  const out: SecurityEvent[] = [];
  for await (const batch of ingest.batches()) out.push(...batch);
  return { events: out, counters: ingest.counters, deadLetters: deadLetters.list() };
}

describe('Zeek conn.log', () => {
  const tsv = events('conn.log', 'conn');

  it('reads the TSV log into valid flow events, headers skipped', () => {
    expect(tsv).toHaveLength(6);
    expect(parseAll('conn.log', 'conn').filter((r) => r !== null && !r.ok)).toEqual([]);
    for (const event of tsv) expect(securityEventSchema.parse(event)).toEqual(event);
    expect(tsv.every((e) => e.kind === 'flow' && e.source.type === 'zeek')).toBe(true);
  });

  it('maps a finished connection: both directions, IP bytes, end time, flags from history', () => {
    expect(tsv[0]).toMatchObject({
      time: new Date(1_795_683_600_104.711 + 2_861.289).toISOString(),
      flow: {
        srcIp: '192.0.2.15',
        srcPort: 49822,
        dstIp: '10.0.1.10',
        dstPort: 443,
        protocol: 'tcp',
        packets: 35,
        bytes: 2954 + 29815,
        startMs: 1_795_683_600_105,
        state: 'SF',
        tcpFlags: 0x1b,
      },
      labels: { 'zeek.uid': 'CHhAvVGS1DHFjwGM9', 'zeek.service': 'ssl', 'zeek.history': 'ShADadFf' },
    });
  });

  it('keeps unanswered and refused attempts as Zeek saw them', () => {
    expect(tsv[1]?.flow).toMatchObject({ state: 'S0', tcpFlags: 0x02, packets: 1, bytes: 60 });
    expect(tsv[1]?.flow?.endMs).toBe(tsv[1]?.flow?.startMs);
    expect(tsv[2]?.flow).toMatchObject({ state: 'REJ', tcpFlags: 0x06 });
    expect(tsv[3]?.flow).toMatchObject({ protocol: 'udp', state: 'SF', bytes: 188 });
    expect(tsv[3]?.flow?.tcpFlags).toBeUndefined();
    expect(tsv[4]?.flow).toMatchObject({ protocol: 'icmp', dstPort: 8 });
    // `(empty)` service is no service.
    expect(tsv[5]?.labels['zeek.service']).toBeUndefined();
  });

  it('reads the JSON writer the same way (epoch and ISO ts, with or without _path)', () => {
    const json = events('conn.json.log', 'conn');
    expect(json).toHaveLength(3);
    expect(json.map((e) => e.flow)).toEqual([tsv[0]?.flow, tsv[1]?.flow, tsv[3]?.flow]);
  });

  it('rebuilds TCP flags from history letters', () => {
    expect(flagsFromHistory('S')).toBe(0x02);
    expect(flagsFromHistory('ShR')).toBe(0x16);
    expect(flagsFromHistory('ShADadFf')).toBe(0x1b);
    expect(flagsFromHistory('')).toBe(0);
  });

  it('refuses broken lines with a reason each', () => {
    const results = parseAll('bad-conn.log', 'conn').filter((r) => r !== null);
    expect(results.map((r) => (r.ok ? 'ok' : r.reason))).toEqual([
      'zeek_no_header',
      'zeek_bad_fields',
      'bad_time',
      'bad_field',
      'bad_bytes',
      'missing_client',
      'unknown_format',
      'not_json',
      'ok',
    ]);
  });

  it('counts bad lines and samples them into the dead letters through file ingest', async () => {
    const read = await readFile('bad-conn.log', 'zeek-conn');
    expect(read.events).toHaveLength(1);
    expect(malformedTotal(read.counters)).toBe(8);
    expect(read.counters.malformed).toMatchObject({ zeek_no_header: 1, zeek_bad_fields: 1 });
    expect(read.deadLetters.map((l) => l.reason)).toContain('zeek_bad_fields');
  });
});

describe('Zeek http.log', () => {
  it('reads TSV and JSON into http events', () => {
    const tsv = events('http.log', 'http');
    expect(tsv).toHaveLength(3);
    for (const event of tsv) expect(securityEventSchema.parse(event)).toEqual(event);
    expect(tsv[0]).toMatchObject({
      kind: 'http',
      client: { ip: '192.0.2.15', port: 49830, userAgent: expect.stringContaining('Firefox') },
      http: {
        requestId: 'CHhAvVGS1DHFjwGM9-1',
        method: 'GET',
        host: 'shop.example',
        path: '/products/42?ref=mail',
        protocol: 'HTTP/1.1',
        referer: 'https://mail.example/',
        status: 200,
        responseBytes: 18234,
      },
      labels: { 'server.port': '80' },
    });
    expect(tsv[1]?.http).toMatchObject({
      method: 'POST',
      status: 302,
      requestBytes: 64,
      requestId: 'CHhAvVGS1DHFjwGM9-2',
    });
    expect(tsv[2]?.http?.referer).toBeUndefined();
    const json = events('http.json.log', 'http');
    expect(json[0]?.http).toEqual(tsv[0]?.http);
    expect(json[0]?.client).toEqual(tsv[0]?.client);
  });

  it('refuses a conn line when reading http.log', () => {
    const results = parseAll('conn.log', 'http').filter((r) => r !== null);
    expect(results.every((r) => !r.ok && r.reason === 'unknown_format')).toBe(true);
  });
});

describe('Zeek logs through file ingest', () => {
  it('reads conn and http logs with their formats and with auto alike', async () => {
    for (const [name, format] of [
      ['conn.log', 'zeek-conn'],
      ['conn.json.log', 'zeek-conn'],
      ['http.log', 'zeek-http'],
      ['http.json.log', 'zeek-http'],
    ] as const) {
      const explicit = await readFile(name, format);
      const auto = await readFile(name, 'auto');
      expect(explicit.events.length, name).toBeGreaterThan(0);
      expect(malformedTotal(explicit.counters), name).toBe(0);
      expect(auto.events, name).toEqual(explicit.events);
      expect(malformedTotal(auto.counters), name).toBe(0);
    }
  });
});
