/**
 * Syslog message → SecurityEvent (ingest, syslog source). A web-server access line carried
 * in syslog (nginx `access_log syslog:server=…`, Apache piped to logger) becomes an `http`
 * event through the access-log parser; anything else a `log` event with the message as
 * `log.line`. Header fields and structured data go into labels (`syslog.host`,
 * `syslog.app`, `sd.<id>.<param>`…); the syslog severity maps onto ours (emerg..crit →
 * high, err → medium, warning → low, the rest info).
 *
 * @example
 * const toEvents = createSyslogMessageParser({ name: 'syslog', clock });
 * toEvents(Buffer.from('<13>Oct 11 22:14:15 web1 nginx: 203.0.113.7 - - [...] "GET / HTTP/1.1" 200 1'), 'udp 10.0.0.5')
 */
import { randomBytes } from 'node:crypto';
import { systemClock, type Clock } from '../../../core/clock.js';
import type { SecurityEvent, Severity } from '../../../core/records/index.js';
import type { MalformedReason } from '../dead-letter.js';
import { deterministicEventId } from '../access-log/event-id.js';
import type { JsonFieldNames } from '../access-log/jsonl.js';
import { parseAccessLine, resolveJsonFields } from '../access-log/source.js';
import { accessRecordToEvent } from '../access-log/to-event.js';
import { parseSyslog, type SyslogMessage } from './parse.js';

export const FACILITIES = [
  'kern',
  'user',
  'mail',
  'daemon',
  'auth',
  'syslog',
  'lpr',
  'news',
  'uucp',
  'cron',
  'authpriv',
  'ftp',
  'ntp',
  'security',
  'console',
  'solaris-cron',
  'local0',
  'local1',
  'local2',
  'local3',
  'local4',
  'local5',
  'local6',
  'local7',
] as const;
export const SEVERITIES = ['emerg', 'alert', 'crit', 'err', 'warning', 'notice', 'info', 'debug'] as const;

const OUR_SEVERITY: Severity[] = ['high', 'high', 'high', 'medium', 'low', 'info', 'info', 'info'];
const MAX_SD_LABELS = 32;

export interface SyslogParserOptions {
  name: string;
  /** Try the access-log parser on each message; default true. */
  accessLogs?: boolean;
  jsonFields?: Partial<JsonFieldNames>;
  legacyUtcOffsetMinutes?: number;
  /** `source.type`; default `syslog` (`file` readers pass their own). */
  sourceType?: string;
  clock?: Clock;
}

export type SyslogResult = { ok: true; event: SecurityEvent } | { ok: false; reason: MalformedReason } | null;

function cap(value: string, max: number): string {
  return value.length > max ? value.slice(0, max) : value;
}

function labelsOf(message: SyslogMessage, peer: string | undefined): Record<string, string> {
  const labels: Record<string, string> = { 'syslog.protocol': message.protocol };
  if (message.facility !== undefined)
    labels['syslog.facility'] = FACILITIES[message.facility] ?? String(message.facility);
  if (message.severity !== undefined)
    labels['syslog.severity'] = SEVERITIES[message.severity] ?? String(message.severity);
  if (message.hostname !== undefined) labels['syslog.host'] = cap(message.hostname, 255);
  if (message.appName !== undefined) labels['syslog.app'] = cap(message.appName, 64);
  if (message.procId !== undefined) labels['syslog.procid'] = cap(message.procId, 128);
  if (message.msgId !== undefined) labels['syslog.msgid'] = cap(message.msgId, 32);
  if (peer !== undefined) labels['syslog.peer'] = cap(peer, 128);
  let count = 0;
  for (const element of message.structuredData) {
    for (const [name, value] of element.params) {
      if (count++ >= MAX_SD_LABELS) return labels;
      labels[cap(`sd.${element.id}.${name}`, 128)] = cap(value, 1024);
    }
  }
  return labels;
}

/** Decodes one framed message: UTF-8 (invalid bytes become U+FFFD), trailing CR/LF dropped. */
export function decodeMessage(bytes: Buffer): string {
  let end = bytes.length;
  while (end > 0 && (bytes[end - 1] === 10 || bytes[end - 1] === 13)) end--;
  return bytes.toString('utf8', 0, end);
}

/** A blank message yields null. Ids are unique per process run (a random nonce and a sequence). */
export function createSyslogMessageParser(options: SyslogParserOptions) {
  const clock = options.clock ?? systemClock;
  const fields = resolveJsonFields(options.jsonFields);
  const source = { type: options.sourceType ?? 'syslog', name: options.name };
  const nonce = randomBytes(8).toString('hex');
  let sequence = 0;
  return (text: string, peer?: string): SyslogResult => {
    if (text.trim() === '') return null;
    const nowMs = clock.nowMs();
    const parsed = parseSyslog(text, { nowMs, legacyUtcOffsetMinutes: options.legacyUtcOffsetMinutes ?? 0 });
    if (!parsed.ok) return parsed;
    const message = parsed.value;
    const timeMs = message.timeMs ?? nowMs;
    const id = deterministicEventId(timeMs, `${nonce}\n${sequence++}`);
    const labels = labelsOf(message, peer);
    if (options.accessLogs ?? true) {
      const access = parseAccessLine(message.message, 'auto', fields, timeMs);
      if (access?.ok) {
        const format = access.value.layout === 'json' ? 'jsonl' : `access-${access.value.layout}`;
        return {
          ok: true,
          event: accessRecordToEvent(access.value, { id, source, format, line: text, labels }),
        };
      }
    }
    const event: SecurityEvent = {
      id,
      time: new Date(timeMs).toISOString(),
      kind: 'log',
      source,
      severity: message.severity === undefined ? 'info' : (OUR_SEVERITY[message.severity] ?? 'info'),
      log: { line: cap(message.message, 65_536), format: `syslog-${message.protocol}` },
      labels,
    };
    return { ok: true, event };
  };
}

export type SyslogMessageParser = ReturnType<typeof createSyslogMessageParser>;
