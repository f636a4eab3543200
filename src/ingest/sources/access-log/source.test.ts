import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../../core/clock.js';
import { securityEventSchema } from '../../../core/records/index.js';
import { createDeadLetterSampler, MemoryDeadLetterSink } from '../dead-letter.js';
import { LineSplitter } from './line-splitter.js';
import { malformedTotal, newSourceCounters } from './metrics.js';
import { createAccessLineParser, linesToEvents, type AccessLogFormat } from './source.js';

interface ParseCase {
  name: string;
  format: AccessLogFormat;
  line: string;
  expect?: Record<string, unknown>;
  malformed?: string;
}

const fixture = (name: string) => new URL(`./fixtures/${name}`, import.meta.url);
const cases = JSON.parse(readFileSync(fixture('parse-cases.json'), 'utf8')) as ParseCase[];
const CROCKFORD = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
const clock = new ManualClock(Date.parse('2026-11-26T12:00:00Z'));

function readFixture(name: string, format: AccessLogFormat) {
  const sink = new MemoryDeadLetterSink();
  const sourceCounters = newSourceCounters('test', 'access-log');
  const splitter = new LineSplitter({ maxLineBytes: 65_536 });
  const lines = splitter.push(readFileSync(fixture(name)));
  const last = splitter.end();
  if (last) lines.push(last);
  const parse = createAccessLineParser({ name: 'test', format, clock });
  const events = linesToEvents(lines, parse, name, sourceCounters, createDeadLetterSampler(sink, { clock }));
  return { events, counters: sourceCounters, deadLetters: sink.list(), lines };
}

describe('access-log line parser', () => {
  for (const testCase of cases) {
    it(testCase.name, () => {
      const parse = createAccessLineParser({ name: 'test', format: testCase.format, clock });
      const result = parse(testCase.line, { file: 'case', offset: 0 });
      if (testCase.malformed) {
        expect(result).toEqual({ ok: false, reason: testCase.malformed });
        return;
      }
      expect(result?.ok).toBe(true);
      if (!result?.ok) return;
      expect(securityEventSchema.parse(result.event)).toEqual(result.event);
      expect(result.event).toMatchObject({ kind: 'http', source: { type: 'access-log', name: 'test' } });
      expect(result.event).toMatchObject(testCase.expect ?? {});
      expect(result.event.log?.line).toBe(testCase.line);
    });
  }

  it('gives the same line at the same place the same id, and another place another id', () => {
    const parse = createAccessLineParser({ name: 'test', format: 'nginx', clock });
    const line = cases[0]?.line as string;
    const first = parse(line, { file: 'a.log', offset: 10 });
    const again = parse(line, { file: 'a.log', offset: 10 });
    const elsewhere = parse(line, { file: 'a.log', offset: 11 });
    expect(first?.ok && again?.ok && elsewhere?.ok).toBe(true);
    if (!first?.ok || !again?.ok || !elsewhere?.ok) return;
    expect(first.event.id).toBe(again.event.id);
    expect(first.event.id).not.toBe(elsewhere.event.id);
    // The ULID time part is the event's time, so ids sort as the log does.
    const timeMs = [...first.event.id.slice(4, 14)].reduce(
      (ms, char) => ms * 32 + CROCKFORD.indexOf(char),
      0,
    );
    expect(timeMs).toBe(Date.parse(first.event.time));
  });

  it('leaves the raw line out when keepRawLine is false', () => {
    const parse = createAccessLineParser({ name: 'test', format: 'nginx', keepRawLine: false, clock });
    const result = parse(cases[0]?.line as string, { file: 'a', offset: 0 });
    expect(result?.ok && result.event.log).toBeUndefined();
  });

  it('uses configured JSON field names before the defaults', () => {
    const parse = createAccessLineParser({
      name: 'test',
      format: 'jsonl',
      jsonFields: { clientIp: ['peer'], request: ['req'], status: ['code'] },
      clock,
    });
    const result = parse(
      '{"peer":"192.0.2.1","req":"GET /x HTTP/1.1","code":"418","remote_addr":"10.9.9.9"}',
      {
        file: 'a',
        offset: 0,
      },
    );
    expect(result).toMatchObject({
      ok: true,
      event: { client: { ip: '192.0.2.1' }, http: { path: '/x', status: 418 } },
    });
    // Without a time field the line is dated when it was read.
    expect(result?.ok && result.event.time).toBe('2026-11-26T12:00:00.000Z');
  });

  it('cuts oversized fields to the schema limits', () => {
    const parse = createAccessLineParser({ name: 'test', format: 'nginx', clock });
    const longPath = `/${'a'.repeat(10_000)}`;
    const longAgent = 'b'.repeat(5_000);
    const line = `203.0.113.7 - - [26/Nov/2026:10:00:00 +0000] "GET ${longPath} HTTP/1.1" 200 1 "-" "${longAgent}"`;
    const result = parse(line, { file: 'a', offset: 0 });
    expect(result?.ok).toBe(true);
    if (!result?.ok) return;
    expect(result.event.http?.path).toHaveLength(8192);
    expect(result.event.client?.userAgent).toHaveLength(2048);
    expect(() => securityEventSchema.parse(result.event)).not.toThrow();
  });
});

describe('access-log fixture files', () => {
  it('reads nginx combined with junk requests, IPv6, escapes, a blank line and raw non-UTF-8 bytes', () => {
    const { events, counters } = readFixture('nginx-combined.txt', 'nginx');
    expect(counters.skipped).toBe(1);
    expect(malformedTotal(counters)).toBe(0);
    expect(events).toHaveLength(11);
    for (const event of events) securityEventSchema.parse(event);
    const rawBytes = events.at(-1);
    expect(rawBytes?.http?.path).toBe('/café/\uFFFD\uFFFD');
    expect(rawBytes?.client?.userAgent).toBe('raw-bytes/\uFFFDt\uFFFD');
    expect(rawBytes?.log?.line.endsWith('\r')).toBe(false);
    expect(events.filter((event) => event.labels['request.invalid'] !== undefined)).toHaveLength(2);
    expect(events.find((event) => event.http?.user === 'alice')?.time).toBe('2026-11-26T10:00:03.000Z');
  });

  it('reads Apache logs mixing vhost, common and combined layouts', () => {
    const { events, counters } = readFixture('apache-vhost.txt', 'apache');
    expect(malformedTotal(counters)).toBe(0);
    expect(events.map((event) => event.log?.format)).toEqual([
      'apache-vhost-combined',
      'apache-vhost-combined',
      'apache-vhost-combined',
      'apache-vhost-common',
      'apache-common',
      'apache-vhost-combined',
    ]);
  });

  it('reads nginx, Caddy and Traefik JSON lines', () => {
    const { events, counters } = readFixture('nginx-json.txt', 'jsonl');
    expect(malformedTotal(counters)).toBe(0);
    expect(events.map((event) => [event.client?.ip, event.http?.method, event.http?.status])).toEqual([
      ['203.0.113.7', 'GET', 200],
      ['2001:db8::42', 'POST', 402],
      ['198.51.100.5', 'GET', 403],
      ['192.0.2.77', 'PUT', 204],
      ['192.0.2.78', '', 400],
    ]);
    expect(events[3]?.http?.latencyMs).toBe(1.5);
  });

  it('counts each malformed line with its reason, samples it, and keeps reading', () => {
    const { events, counters, deadLetters } = readFixture('malformed.txt', 'auto');
    expect(counters.malformed).toEqual({
      bad_prefix: 2,
      bad_time: 1,
      bad_quoted_field: 2,
      bad_status: 1,
      bad_bytes: 1,
      not_json: 1,
      missing_client: 1,
    });
    expect(events.map((event) => event.http?.path)).toEqual(['/still-fine']);
    expect(deadLetters).toHaveLength(9);
    expect(deadLetters[1]).toMatchObject({
      source: 'test',
      reason: 'bad_time',
      location: expect.stringMatching(/^malformed\.txt:\d+$/),
    });
  });
});
