/**
 * Reads one log file once, in a given format, into SecurityEvents (ingest): what
 * `ensuresec ingest FILE --format …` runs before the detection pipeline. Formats: `nginx`,
 * `apache` (Common/Combined and vhost variants), `jsonl` (JSON access logs), `syslog`
 * (RFC 5424 / 3164 lines, with or without `<PRI>`, as rsyslog writes files), and `auto`
 * (per line: an access line if it parses as one, a syslog line if it starts like one), and
 * the network sensors' logs: `suricata-eve` (Suricata EVE JSON), `zeek-conn` and `zeek-http`
 * (Zeek TSV or JSON); `auto` also recognises them (an EVE object by its `event_type`, a Zeek
 * JSON object by `id.orig_h`, Zeek TSV from its `#separator`/`#fields` header on).
 * Gzip files (rotated `access.log.2.gz`) are read through gunzip, found by their magic bytes.
 * Malformed lines are counted (`counters.malformed`, by reason) and sampled into the dead
 * letters; they never stop the reading.
 *
 * @example
 * const ingest = ingestFile('/var/log/nginx/access.log', { format: 'nginx' });
 * for await (const events of ingest.batches()) pipeline.push(events);
 * console.log(ingest.counters.events, malformedTotal(ingest.counters));
 */
import { createReadStream } from 'node:fs';
import { open } from 'node:fs/promises';
import type { Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import type { Clock } from '../../core/clock.js';
import { EnsuresecError } from '../../core/errors.js';
import type { SecurityEvent } from '../../core/records/index.js';
import type { JsonFieldNames } from './access-log/jsonl.js';
import { LineSplitter, type SplitLine } from './access-log/line-splitter.js';
import { newSourceCounters, type SourceCounters } from './access-log/metrics.js';
import {
  createAccessLineParser,
  linesToEvents,
  type AccessLogFormat,
  type AccessLineParser,
  type LineResult,
} from './access-log/source.js';
import {
  createDeadLetterSampler,
  MemoryDeadLetterSink,
  type DeadLetterSampler,
  type DeadLetterSink,
} from './dead-letter.js';
import { createEveLineParser } from './suricata/eve.js';
import { createSyslogMessageParser, type SyslogMessageParser } from './syslog/source.js';
import { createZeekLineParser } from './zeek/parse.js';

export const INGEST_FORMATS = [
  'nginx',
  'apache',
  'jsonl',
  'syslog',
  'suricata-eve',
  'zeek-conn',
  'zeek-http',
  'auto',
] as const;
export type IngestFormat = (typeof INGEST_FORMATS)[number];

export interface FileIngestOptions {
  format: IngestFormat;
  /** `source.name` of the events; default the file's path. */
  name?: string;
  maxLineBytes?: number;
  /** Events per batch; default 1000. */
  batchSize?: number;
  jsonFields?: Partial<JsonFieldNames>;
  legacyUtcOffsetMinutes?: number;
  /** Default: an in-memory ring of 1000, readable as `ingest.deadLetters`. */
  deadLetters?: DeadLetterSink;
  deadLettersPerMinute?: number;
  clock?: Clock;
}

export interface FileIngest {
  readonly counters: SourceCounters;
  /** The sink malformed lines were sampled into. */
  readonly deadLetters: DeadLetterSink;
  /** The file's events in file order, in batches; rejects with `ingest_file_unreadable`. */
  batches(): AsyncGenerator<SecurityEvent[]>;
}

const GZIP_MAGIC = [0x1f, 0x8b];
const SYSLOG_START =
  /^(<\d{1,3}>|[A-Z][a-z]{2} [ \d]\d \d{2}:\d{2}:\d{2} |\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})/;

function unreadable(path: string, error: unknown): EnsuresecError {
  const code = (error as NodeJS.ErrnoException).code;
  const cause = code ? `${code}` : error instanceof Error ? error.message : String(error);
  return new EnsuresecError('ingest_file_unreadable', { detail: `${path}: ${cause}.`, cause: error });
}

async function openStream(path: string): Promise<Readable> {
  const head = Buffer.alloc(2);
  try {
    const handle = await open(path, 'r');
    try {
      if (!(await handle.stat()).isFile())
        throw Object.assign(new Error('not a regular file'), { code: 'ENOTFILE' });
      await handle.read(head, 0, 2, 0);
    } finally {
      await handle.close();
    }
  } catch (error) {
    throw unreadable(path, error);
  }
  const stream = createReadStream(path, { highWaterMark: 256 * 1024 });
  if (head[0] !== GZIP_MAGIC[0] || head[1] !== GZIP_MAGIC[1]) return stream;
  const gunzip = createGunzip();
  stream.on('error', (error) => gunzip.destroy(error));
  return stream.pipe(gunzip);
}

/** A syslog line parser with the access-log parser's line-handling signature. */
function syslogLineParser(parse: SyslogMessageParser): AccessLineParser {
  return (line) => parse(line);
}

/** `auto`: an access line when it parses as one, else syslog when it starts like syslog, else the access parser's reason. */
function autoLineParser(access: AccessLineParser, syslog: SyslogMessageParser): AccessLineParser {
  return (line, origin): LineResult => {
    const result = access(line, origin);
    if (result === null || result.ok || !SYSLOG_START.test(line)) return result;
    return syslog(line);
  };
}

const SENSOR_FORMATS: ReadonlySet<IngestFormat> = new Set(['suricata-eve', 'zeek-conn', 'zeek-http']);

/** `auto` with the network sensors: EVE and Zeek JSON objects by their keys, Zeek TSV once its header was seen. */
function sensorAwareParser(
  fallback: AccessLineParser,
  eve: AccessLineParser,
  zeek: AccessLineParser,
): AccessLineParser {
  let zeekTsv = false;
  return (line, origin): LineResult => {
    const start = line.trimStart();
    if (start.startsWith('#separator') || start.startsWith('#fields')) zeekTsv = true;
    if (start.startsWith('{')) {
      if (start.includes('"event_type"')) return eve(line, origin);
      if (start.includes('"id.orig_h"')) return zeek(line, origin);
      return fallback(line, origin);
    }
    if (
      zeekTsv ||
      (start.startsWith('#') &&
        /^#(path|open|close|types|empty_field|unset_field|set_separator)\b/.test(start))
    )
      return zeek(line, origin);
    return fallback(line, origin);
  };
}

export function ingestFile(path: string, options: FileIngestOptions): FileIngest {
  const name = options.name ?? path;
  const counters = newSourceCounters(name, 'file');
  const deadLetters = options.deadLetters ?? new MemoryDeadLetterSink(1000);
  const sampler: DeadLetterSampler = createDeadLetterSampler(deadLetters, {
    maxPerMinute: options.deadLettersPerMinute ?? 100,
    ...(options.clock ? { clock: options.clock } : {}),
  });
  const clockOption = options.clock ? { clock: options.clock } : {};
  const access = createAccessLineParser({
    name,
    sourceType: 'file',
    format:
      options.format === 'syslog' || SENSOR_FORMATS.has(options.format)
        ? 'auto'
        : (options.format as AccessLogFormat),
    ...(options.jsonFields ? { jsonFields: options.jsonFields } : {}),
    ...clockOption,
  });
  const syslog = createSyslogMessageParser({
    name,
    sourceType: 'file',
    legacyUtcOffsetMinutes: options.legacyUtcOffsetMinutes ?? 0,
    ...(options.jsonFields ? { jsonFields: options.jsonFields } : {}),
    ...clockOption,
  });
  const eve = createEveLineParser({ name });
  const parse =
    options.format === 'syslog'
      ? syslogLineParser(syslog)
      : options.format === 'suricata-eve'
        ? eve
        : options.format === 'zeek-conn' || options.format === 'zeek-http'
          ? createZeekLineParser({ name, expect: options.format === 'zeek-conn' ? 'conn' : 'http' })
          : options.format === 'auto'
            ? sensorAwareParser(autoLineParser(access, syslog), eve, createZeekLineParser({ name }))
            : access;
  const batchSize = options.batchSize ?? 1000;

  async function* batches(): AsyncGenerator<SecurityEvent[]> {
    const stream = await openStream(path);
    const splitter = new LineSplitter({ maxLineBytes: options.maxLineBytes ?? 65_536 });
    let pending: SecurityEvent[] = [];
    const take = (lines: SplitLine[]) => {
      counters.linesRead += lines.length;
      for (const event of linesToEvents(lines, parse, path, counters, sampler)) pending.push(event);
    };
    try {
      for await (const chunk of stream as AsyncIterable<Buffer>) {
        counters.bytesRead += chunk.length;
        take(splitter.push(chunk));
        if (pending.length >= batchSize) {
          yield pending;
          pending = [];
        }
      }
    } catch (error) {
      throw unreadable(path, error);
    } finally {
      stream.destroy();
    }
    const last = splitter.end();
    if (last) take([last]);
    if (pending.length > 0) yield pending;
  }

  return { counters, deadLetters, batches };
}
