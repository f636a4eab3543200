import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../core/clock.js';
import { securityEventSchema, type SecurityEvent } from '../../core/records/index.js';
import { malformedTotal } from './access-log/metrics.js';
import type { MemoryDeadLetterSink } from './dead-letter.js';
import { ingestFile, type FileIngestOptions } from './file-ingest.js';

const fixture = (path: string) => fileURLToPath(new URL(path, import.meta.url));
const clock = new ManualClock(Date.parse('2026-11-26T12:00:00Z'));

async function readAll(path: string, options: FileIngestOptions) {
  const ingest = ingestFile(path, { clock, ...options });
  const events: SecurityEvent[] = [];
  for await (const batch of ingest.batches()) events.push(...batch);
  for (const event of events) securityEventSchema.parse(event);
  return {
    events,
    counters: ingest.counters,
    deadLetters: (ingest.deadLetters as MemoryDeadLetterSink).list(),
  };
}

describe('file ingest', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'ensuresec-ingest-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('reads an nginx log once, with its source named after the file', async () => {
    const path = fixture('./access-log/fixtures/nginx-combined.txt');
    const { events, counters } = await readAll(path, { format: 'nginx' });
    expect(events).toHaveLength(11);
    expect(counters).toMatchObject({ linesRead: 12, events: 11, skipped: 1, malformed: {} });
    expect(events[0]?.source).toEqual({ type: 'file', name: path });
  });

  it('reads a gzip-compressed rotated log the same way', async () => {
    const plain = await readAll(fixture('./access-log/fixtures/nginx-combined.txt'), {
      format: 'nginx',
      name: 'x',
    });
    const zipped = await readAll(fixture('./access-log/fixtures/nginx-combined.txt.gz'), {
      format: 'nginx',
      name: 'x',
    });
    // Ids (and the request ids made from them) differ: they depend on the file read.
    const summary = (events: SecurityEvent[]) =>
      events.map(({ time, client, http, log }) => ({ time, client, log, http: { ...http, requestId: '' } }));
    expect(summary(zipped.events)).toEqual(summary(plain.events));
  });

  it('gives the same ids when the same file is read twice', async () => {
    const path = fixture('./access-log/fixtures/apache-vhost.txt');
    const first = await readAll(path, { format: 'apache' });
    const second = await readAll(path, { format: 'apache' });
    expect(second.events.map((event) => event.id)).toEqual(first.events.map((event) => event.id));
    expect(new Set(first.events.map((event) => event.id)).size).toBe(first.events.length);
  });

  it('reads JSON lines', async () => {
    const { events } = await readAll(fixture('./access-log/fixtures/nginx-json.txt'), { format: 'jsonl' });
    expect(events.map((event) => event.http?.status)).toEqual([200, 402, 403, 204, 400]);
  });

  it('reads a syslog file without priorities; access lines in it become http events', async () => {
    const { events, counters } = await readAll(fixture('./syslog/fixtures/var-log-syslog.txt'), {
      format: 'syslog',
    });
    expect(events.map((event) => event.kind)).toEqual(['log', 'log', 'log', 'log', 'http']);
    expect(events[1]).toMatchObject({
      time: '2026-11-26T10:00:01.000Z',
      labels: { 'syslog.app': 'sshd', 'syslog.host': 'web1' },
    });
    expect(events[4]?.http?.path).toBe('/.env');
    expect(counters.malformed).toEqual({ syslog_bad_priority: 1 });
  });

  it('in auto mode reads access lines, JSON lines and syslog lines mixed, and counts the rest', async () => {
    const path = join(dir, 'mixed.txt');
    writeFileSync(
      path,
      [
        '203.0.113.7 - - [26/Nov/2026:10:00:00 +0000] "GET / HTTP/1.1" 200 1 "-" "x"',
        '{"remote_addr":"203.0.113.8","request":"GET /j HTTP/1.1","status":200}',
        '<13>Nov 26 10:00:00 web1 app: hello',
        'complete nonsense',
      ].join('\n'),
    );
    const { events, counters } = await readAll(path, { format: 'auto' });
    expect(events.map((event) => event.kind)).toEqual(['http', 'http', 'log']);
    expect(counters.malformed).toEqual({ bad_prefix: 1 });
  });

  it('counts and samples malformed lines, cuts huge ones, and reads on', async () => {
    const path = join(dir, 'huge.txt');
    const good = '203.0.113.7 - - [26/Nov/2026:10:00:00 +0000] "GET /ok HTTP/1.1" 200 1 "-" "x"\n';
    writeFileSync(
      path,
      `${good}203.0.113.7 - - [26/Nov/2026:10:00:00 +0000] "GET /${'a'.repeat(200_000)} HTTP/1.1" 200 1\n${good}`,
    );
    const { events, counters, deadLetters } = await readAll(path, { format: 'nginx', maxLineBytes: 65_536 });
    expect(events).toHaveLength(2);
    expect(counters.malformed).toEqual({ line_too_long: 1 });
    expect(deadLetters[0]?.input.length).toBeLessThanOrEqual(2048);
    expect(malformedTotal(counters)).toBe(1);
  });

  it('answers ingest_file_unreadable for a missing file, a folder, and a broken gzip', async () => {
    const broken = join(dir, 'broken.gz');
    writeFileSync(broken, Buffer.from([0x1f, 0x8b, 0x08, 0x00, 0x01, 0x02]));
    for (const path of [join(dir, 'missing.log'), dir, broken]) {
      await expect(readAll(path, { format: 'nginx' })).rejects.toMatchObject({
        code: 'ingest_file_unreadable',
        detail: expect.stringContaining(path),
      });
    }
  });
});
