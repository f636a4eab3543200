/**
 * Micro-benchmark of the log sources' parsers (ingest): lines per second turned into
 * SecurityEvents, per format, on one core; and the whole `ensuresec ingest` read path
 * (file → lines → events) for an nginx file. Lines vary (clients, paths, agents, sizes) so
 * no cache flatters a number. Run: `node --import tsx bench/ingest.ts [lines]`.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createAccessLineParser, type AccessLogFormat } from '../src/ingest/sources/access-log/source.js';
import { ingestFile } from '../src/ingest/sources/file-ingest.js';
import { createSyslogMessageParser } from '../src/ingest/sources/syslog/source.js';

const LINES = Number(process.argv[2] ?? 200_000);
const AGENTS = [
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36',
  'Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1',
  'curl/8.5.0',
  'Mozilla/5.0 \\x22quoted\\x22 caf\\xC3\\xA9',
];
const PATHS = [
  '/',
  '/p/42?ref=mail',
  '/cart',
  '/account/login',
  '/search?q=%27%20OR%201%3D1--',
  '/static/app.css?v=3',
];

function pick<T>(list: T[], i: number): T {
  return list[i % list.length] as T;
}
function ip(i: number): string {
  return i % 7 === 0 ? `2001:db8::${(i % 65535).toString(16)}` : `203.0.${(i >> 8) & 255}.${i & 255}`;
}
function clfTime(i: number): string {
  return `26/Nov/2026:10:${String(Math.floor(i / 60) % 60).padStart(2, '0')}:${String(i % 60).padStart(2, '0')} +0000`;
}

const generators: Record<string, (i: number) => string> = {
  'nginx combined': (i) =>
    `${ip(i)} - - [${clfTime(i)}] "GET ${pick(PATHS, i)} HTTP/1.1" ${i % 10 === 0 ? 404 : 200} ${i % 9000} "https://shop.example/" "${pick(AGENTS, i)}"`,
  'apache vhost_combined': (i) =>
    `shop.example:443 ${ip(i)} - - [${clfTime(i)}] "POST ${pick(PATHS, i)} HTTP/1.1" 200 ${i % 9000} "-" "${pick(AGENTS, i)}"`,
  'jsonl (nginx escape=json)': (i) =>
    JSON.stringify({
      time_iso8601: `2026-11-26T10:00:${String(i % 60).padStart(2, '0')}+00:00`,
      remote_addr: ip(i),
      request: `GET ${pick(PATHS, i)} HTTP/1.1`,
      status: '200',
      body_bytes_sent: String(i % 9000),
      request_time: '0.012',
      http_referer: '',
      http_user_agent: pick(AGENTS, i),
      host: 'shop.example',
    }),
  'syslog rfc3164': (i) =>
    `<86>Nov 26 10:00:${String(i % 60).padStart(2, '0')} web1 sshd[${i % 9999}]: Failed password for root from ${ip(i)} port ${i % 65535} ssh2`,
  'syslog rfc5424 + SD': (i) =>
    `<165>1 2026-11-26T10:00:00.${String(i % 1000).padStart(3, '0')}Z web1 app ${i % 9999} ID47 [meta@32473 client="${ip(i)}" seq="${i}"] \uFEFForder ${i} placed`,
  'syslog carrying nginx': (i) => `<190>Nov 26 10:00:00 web1 nginx: ${generators['nginx combined']?.(i)}`,
};

function measure(name: string, parseLine: (line: string, i: number) => unknown): void {
  const lines = Array.from({ length: LINES }, (_, i) => (generators[name] as (i: number) => string)(i));
  let best = 0;
  for (let run = 0; run < 3; run++) {
    const started = process.hrtime.bigint();
    let ok = 0;
    for (let i = 0; i < lines.length; i++)
      if ((parseLine(lines[i] as string, i) as { ok?: boolean } | null)?.ok) ok++;
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    if (ok !== lines.length) throw new Error(`${name}: only ${ok} of ${lines.length} lines parsed`);
    best = Math.max(best, lines.length / seconds);
  }
  console.log(`${name.padEnd(28)} ${Math.round(best).toLocaleString('en').padStart(12)} lines/s`);
}

function accessParser(format: AccessLogFormat) {
  const parse = createAccessLineParser({ name: 'bench', format });
  return (line: string, i: number) => parse(line, { file: 'bench', offset: i });
}
const syslog = createSyslogMessageParser({ name: 'bench' });

console.log(`parse + build SecurityEvent, best of 3 runs of ${LINES.toLocaleString('en')} lines (one core)`);
measure('nginx combined', accessParser('nginx'));
measure('apache vhost_combined', accessParser('apache'));
measure('jsonl (nginx escape=json)', accessParser('jsonl'));
measure('syslog rfc3164', (line) => syslog(line));
measure('syslog rfc5424 + SD', (line) => syslog(line));
measure('syslog carrying nginx', (line) => syslog(line));

const dir = mkdtempSync(join(tmpdir(), 'ensuresec-bench-ingest-'));
try {
  const path = join(dir, 'access.log');
  const nginx = generators['nginx combined'] as (i: number) => string;
  writeFileSync(path, `${Array.from({ length: LINES }, (_, i) => nginx(i)).join('\n')}\n`);
  const started = process.hrtime.bigint();
  const ingest = ingestFile(path, { format: 'nginx' });
  let events = 0;
  for await (const batch of ingest.batches()) events += batch.length;
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  console.log(
    `${'file ingest (nginx)'.padEnd(28)} ${Math.round(events / seconds)
      .toLocaleString('en')
      .padStart(12)} lines/s (read + split + parse)`,
  );
} finally {
  rmSync(dir, { recursive: true, force: true });
}
