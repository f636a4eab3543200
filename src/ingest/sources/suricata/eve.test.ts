import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { securityEventSchema, type SecurityEvent } from '../../../core/records/index.js';
import type { LineResult } from '../access-log/source.js';
import { malformedTotal } from '../access-log/metrics.js';
import { MemoryDeadLetterSink } from '../dead-letter.js';
import { ingestFile } from '../file-ingest.js';
import { createEveLineParser } from './eve.js';

const fixture = (name: string) => new URL(`./fixtures/${name}`, import.meta.url).pathname;
const lines = (name: string) => readFileSync(fixture(name), 'utf8').split('\n');

function parseAll(name: string): LineResult[] {
  const parse = createEveLineParser({ name: 'suricata' });
  return lines(name).map((line, i) => parse(line, { file: name, offset: i }));
}

function events(name: string): SecurityEvent[] {
  return parseAll(name).flatMap((r) => (r?.ok ? [r.event] : []));
}

describe('Suricata EVE lines', () => {
  const all = events('eve.jsonl');

  it('reads every supported record into a valid event and skips the other types', () => {
    const results = parseAll('eve.jsonl');
    expect(all.map((e) => e.labels['suricata.event_type'])).toEqual([
      'flow',
      'flow',
      'flow',
      'netflow',
      'alert',
      'http',
      'tls',
      'dns',
      'dns',
    ]);
    // stats, fileinfo, a blank line and the end of the file are skipped, not malformed.
    expect(results.filter((r) => r === null)).toHaveLength(4);
    expect(results.filter((r) => r !== null && !r.ok)).toEqual([]);
    for (const event of all) expect(securityEventSchema.parse(event)).toEqual(event);
  });

  it('maps a flow with both directions, its TCP flags and a Zeek-like state', () => {
    const [unanswered, refused, normal] = all;
    expect(unanswered).toMatchObject({
      kind: 'flow',
      time: '2026-11-26T09:00:01.104Z',
      flow: {
        srcIp: '203.0.113.66',
        dstIp: '10.0.1.10',
        srcPort: 51234,
        dstPort: 3389,
        protocol: 'tcp',
        packets: 1,
        bytes: 60,
        tcpFlags: 0x02,
        state: 'S0',
        startMs: Date.parse('2026-11-26T08:59:00.100Z'),
      },
    });
    expect(refused?.flow).toMatchObject({ state: 'REJ', tcpFlags: 0x16, packets: 2, bytes: 114 });
    expect(normal?.flow).toMatchObject({ state: 'closed', tcpFlags: 0x1b, packets: 35, bytes: 30_929 });
    expect(normal?.labels['suricata.app_proto']).toBe('tls');
  });

  it('maps a one-way netflow record', () => {
    expect(all[3]?.flow).toMatchObject({ protocol: 'udp', packets: 1, bytes: 74, dstPort: 53 });
    expect(all[3]?.flow?.state).toBeUndefined();
  });

  it('maps an alert to a log event with its severity and signature', () => {
    const alert = all[4];
    expect(alert).toMatchObject({
      kind: 'log',
      severity: 'medium',
      client: { ip: '203.0.113.66', port: 51234 },
      labels: {
        'suricata.signature': 'ET SCAN Potential SSH Scan',
        'suricata.signature_id': '2001219',
        'suricata.category': 'Attempted Information Leak',
        'suricata.action': 'allowed',
        'net.dst_ip': '10.0.1.10',
        'net.dst_port': '22',
      },
      log: { format: 'suricata-eve-alert' },
    });
  });

  it('maps http, tls (with JA3/JA4) and dns (v2 and v3)', () => {
    expect(all[5]).toMatchObject({
      kind: 'http',
      client: { ip: '192.0.2.15', userAgent: expect.stringContaining('Firefox') },
      http: {
        method: 'GET',
        host: 'shop.example',
        path: '/products/42?ref=mail',
        status: 200,
        responseBytes: 18234,
        protocol: 'HTTP/1.1',
        referer: 'https://mail.example/',
      },
    });
    expect(all[6]).toMatchObject({
      kind: 'log',
      client: { ja4: 't13d1516h2_8daaf6152771_02713d6af862' },
      labels: {
        'tls.sni': 'shop.example',
        'tls.ja3': '579ccef312d18482fc42e2b822ca2430',
        'tls.ja3s': 'f4febc55ea12b31ae17cfb7e614afda8',
        'tls.version': 'TLS 1.3',
      },
    });
    expect(all[7]?.labels).toMatchObject({ 'dns.rrname': 'update.badcdn.example', 'dns.rrtype': 'A' });
    expect(all[8]?.labels).toMatchObject({ 'dns.rrname': 'x1y2z3.badcdn.example', 'dns.rcode': 'NXDOMAIN' });
  });

  it('gives the same id to the same line read at the same place, another elsewhere', () => {
    const again = events('eve.jsonl');
    expect(again.map((e) => e.id)).toEqual(all.map((e) => e.id));
    expect(new Set(all.map((e) => e.id)).size).toBe(all.length);
  });

  it('refuses broken lines with a reason each, never throwing', () => {
    const reasons = parseAll('eve-bad.jsonl')
      .filter((r) => r !== null)
      .map((r) => (r.ok ? 'ok' : r.reason));
    expect(reasons).toEqual([
      'not_json',
      'json_not_object',
      'unknown_format',
      'bad_time',
      'missing_client',
      'bad_field',
      'bad_bytes',
      'missing_request',
      'missing_request',
      'not_json',
    ]);
  });
});

describe('Suricata EVE through file ingest', () => {
  it('counts bad lines and samples them into the dead letters', async () => {
    for (const format of ['suricata-eve', 'auto'] as const) {
      const deadLetters = new MemoryDeadLetterSink(100);
      const ingest = ingestFile(fixture('eve-bad.jsonl'), { format, name: 'suricata', deadLetters });
      const read: SecurityEvent[] = [];
      for await (const batch of ingest.batches()) read.push(...batch);
      expect(read, format).toEqual([]);
      expect(malformedTotal(ingest.counters), format).toBe(10);
      expect(ingest.counters.malformed.missing_request, format).toBe(2);
      expect(deadLetters.list().map((l) => l.reason)).toContain('bad_time');
      expect(deadLetters.list()[0]?.location).toMatch(/eve-bad\.jsonl:0$/);
    }
  });

  it('reads eve.jsonl with --format auto like with suricata-eve', async () => {
    const read = async (format: 'suricata-eve' | 'auto') => {
      const ingest = ingestFile(fixture('eve.jsonl'), { format, name: 'suricata' });
      const out: SecurityEvent[] = [];
      for await (const batch of ingest.batches()) out.push(...batch);
      return out;
    };
    const explicit = await read('suricata-eve');
    expect(explicit).toHaveLength(9);
    expect(await read('auto')).toEqual(explicit);
  });
});
