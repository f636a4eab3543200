/**
 * The access-log source's line parser (ingest): one line of a web-server access log in,
 * one SecurityEvent of kind `http` or a malformed reason out. Formats:
 * - `nginx`, `apache`, `clf`: Common / Combined Log Format and the vhost variants (clf.ts);
 * - `jsonl`: one JSON object per line with configurable field names (jsonl.ts);
 * - `auto`: JSON when the line starts with `{`, CLF otherwise (per line, so a file that
 *   switched format at a reload still reads).
 * Event ids are deterministic in where the line was read (event-id.ts).
 *
 * @example
 * const parse = createAccessLineParser({ name: 'shop-nginx', format: 'nginx' });
 * const result = parse(line, { file: '/var/log/nginx/access.log', offset: 0 });
 * if (result.ok) writer.write([result.event]); else deadLetters.report({ …, reason: result.reason });
 */
import { systemClock, type Clock } from '../../../core/clock.js';
import type { SecurityEvent } from '../../../core/records/index.js';
import type { DeadLetterSampler, MalformedReason } from '../dead-letter.js';
import { parseClfLine } from './clf.js';
import { deterministicEventId } from './event-id.js';
import { DEFAULT_JSON_FIELDS, parseJsonAccessLine, type JsonFieldNames } from './jsonl.js';
import type { SplitLine } from './line-splitter.js';
import { countMalformed, type SourceCounters } from './metrics.js';
import type { AccessRecord, ParseOutcome } from './record.js';
import { accessRecordToEvent } from './to-event.js';

export const ACCESS_LOG_FORMATS = ['nginx', 'apache', 'clf', 'jsonl', 'auto'] as const;
export type AccessLogFormat = (typeof ACCESS_LOG_FORMATS)[number];

export interface AccessLineParserOptions {
  /** The source's name (SecurityEvent `source.name`). */
  name: string;
  format: AccessLogFormat;
  /** `source.type`; default `access-log`. */
  sourceType?: string;
  /** Overrides of the candidate JSON field names, per field (jsonl and auto). */
  jsonFields?: Partial<JsonFieldNames>;
  /** Keep the raw line in the event's `log` section; default true. */
  keepRawLine?: boolean;
  labels?: Record<string, string>;
  clock?: Clock;
}

/** Where a line was read, for deterministic ids; `offset` is a byte offset or a line number. */
export interface LineOrigin {
  file: string;
  offset: number;
}

export type LineResult = { ok: true; event: SecurityEvent } | { ok: false; reason: MalformedReason } | null;

export type AccessLineParser = (line: string, origin: LineOrigin) => LineResult;

export function resolveJsonFields(overrides: Partial<JsonFieldNames> = {}): JsonFieldNames {
  return { ...DEFAULT_JSON_FIELDS, ...overrides };
}

/** Parses a line to an AccessRecord in the given format (no event yet); null for a blank line. */
export function parseAccessLine(
  line: string,
  format: AccessLogFormat,
  fields: JsonFieldNames,
  receivedAtMs: number,
): ParseOutcome<AccessRecord> | null {
  const text = line.charCodeAt(0) === 0xfeff ? line.slice(1) : line;
  if (!NOT_BLANK.test(text)) return null;
  if (format === 'jsonl' || (format === 'auto' && text.trimStart().startsWith('{'))) {
    return parseJsonAccessLine(text, fields, receivedAtMs);
  }
  return parseClfLine(text);
}

/** A line with something other than whitespace (tested without copying it, as `trim` would). */
const NOT_BLANK = /\S/;

function formatLabel(format: AccessLogFormat, layout: string): string {
  if (layout === 'json') return 'jsonl';
  return `${format === 'auto' || format === 'clf' ? 'access' : format}-${layout}`;
}

/** A blank line yields null (skipped, not malformed). */
export function createAccessLineParser(options: AccessLineParserOptions): AccessLineParser {
  const fields = resolveJsonFields(options.jsonFields);
  const clock = options.clock ?? systemClock;
  const source = { type: options.sourceType ?? 'access-log', name: options.name };
  const keepRawLine = options.keepRawLine ?? true;
  // The label depends on the layout of each line (a log may mix them): one string per layout.
  const labels = new Map<string, string>();
  const labelOf = (layout: string): string => {
    let label = labels.get(layout);
    if (label === undefined) labels.set(layout, (label = formatLabel(options.format, layout)));
    return label;
  };
  return (line, origin) => {
    const parsed = parseAccessLine(line, options.format, fields, clock.nowMs());
    if (parsed === null) return null;
    if (!parsed.ok) return parsed;
    const record = parsed.value;
    const event = accessRecordToEvent(record, {
      id: deterministicEventId(record.timeMs, [options.name, origin.file, String(origin.offset), line]),
      source,
      format: labelOf(record.layout),
      ...(keepRawLine ? { line } : {}),
      ...(options.labels ? { labels: options.labels } : {}),
    });
    return { ok: true, event };
  };
}

/** Turns split lines into events, counting and sampling the malformed ones (shared by the tailer and file ingest). */
export function linesToEvents(
  lines: readonly SplitLine[],
  parse: AccessLineParser,
  file: string,
  counters: SourceCounters,
  deadLetters: DeadLetterSampler,
): SecurityEvent[] {
  const events: SecurityEvent[] = [];
  for (const line of lines) {
    const result: LineResult = line.tooLong
      ? { ok: false, reason: 'line_too_long' }
      : parse(line.text, { file, offset: line.offset });
    if (result === null) {
      counters.skipped++;
    } else if (result.ok) {
      events.push(result.event);
    } else {
      countMalformed(counters, result.reason);
      deadLetters.report({
        source: counters.source,
        reason: result.reason,
        input: line.text,
        location: `${file}:${line.offset}`,
      });
    }
  }
  counters.events += events.length;
  return events;
}
