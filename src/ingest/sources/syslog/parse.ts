/**
 * Syslog messages (ingest, syslog source): RFC 5424 (`<PRI>1 TIMESTAMP HOST APP PROCID MSGID
 * [SD] MSG`, structured data with `\"` `\\` `\]` escapes, a UTF-8 BOM before MSG) and RFC 3164
 * as real senders write it (`<PRI>Mmm dd hh:mm:ss host tag[pid]: msg`, with or without the
 * host, with a year or milliseconds, with an RFC 3339 time as rsyslog writes files, or with
 * no header at all). A line without `<PRI>` (a syslog file) is accepted. RFC 3164 has no year
 * and no zone: the year is the one that puts the time nearest before now, the zone is
 * `legacyUtcOffsetMinutes` (default UTC).
 *
 * @example parseSyslog('<34>1 2003-10-11T22:14:15.003Z mymachine su - ID47 - BOM\'su root\' failed', { nowMs })
 */
import { malformed, type ParseOutcome } from '../access-log/record.js';

export interface StructuredDataElement {
  id: string;
  params: [name: string, value: string][];
}

export interface SyslogMessage {
  protocol: 'rfc5424' | 'rfc3164';
  /** Absent when the line had no `<PRI>`. */
  facility?: number;
  severity?: number;
  /** Absent when the message carried no (usable) time. */
  timeMs?: number;
  hostname?: string;
  appName?: string;
  procId?: string;
  msgId?: string;
  structuredData: StructuredDataElement[];
  message: string;
}

export interface SyslogParseOptions {
  nowMs: number;
  legacyUtcOffsetMinutes?: number;
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const BSD_TIME =
  /^([A-Z][a-z]{2}) {1,2}(\d{1,2}) (?:(\d{4}) )?(\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,6}))?(?: (\d{4})(?= ))?:? ?/;
const RFC3339_TIME = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{1,9})?(?:Z|[+-]\d{2}:\d{2}))(?: |$)/;
const TAG = /^([^\s[\]:]{1,64})(?:\[([^\]\s]{1,64})\])?: ?/;
const DAY_MS = 86_400_000;

function nilable(value: string): string | undefined {
  return value === '-' ? undefined : value;
}

function parseRfc3339(text: string): number | undefined {
  // Date.parse keeps milliseconds; finer fractions are cut, as the envelope has milliseconds.
  const ms = Date.parse(text.replace(/(\.\d{3})\d+/, '$1'));
  return Number.isFinite(ms) ? ms : undefined;
}

export function parseSyslog(input: string, options: SyslogParseOptions): ParseOutcome<SyslogMessage> {
  let text = input;
  let facility: number | undefined;
  let severity: number | undefined;
  if (text.startsWith('<')) {
    const close = text.indexOf('>');
    const digits = close > 1 && close <= 4 ? text.slice(1, close) : '';
    if (!/^\d{1,3}$/.test(digits) || Number(digits) > 191) return malformed('syslog_bad_priority');
    const priority = Number(digits);
    facility = priority >> 3;
    severity = priority & 7;
    text = text.slice(close + 1);
  }
  const base = { facility, severity };
  if (/^[1-9]\d? /.test(text)) return parseRfc5424(text.slice(text.indexOf(' ') + 1), base);
  return { ok: true, value: parseRfc3164(text, base, options) };
}

type Priority = { facility: number | undefined; severity: number | undefined };

function withPriority<T extends object>(message: T, priority: Priority): T {
  if (priority.facility !== undefined) Object.assign(message, priority);
  return message;
}

function parseRfc5424(text: string, priority: Priority): ParseOutcome<SyslogMessage> {
  const parts: string[] = [];
  let index = 0;
  for (let i = 0; i < 5; i++) {
    const space = text.indexOf(' ', index);
    if (space === -1) return malformed('syslog_bad_header');
    parts.push(text.slice(index, space));
    index = space + 1;
  }
  const [timestamp, hostname, appName, procId, msgId] = parts as [string, string, string, string, string];
  const message: SyslogMessage = withPriority(
    { protocol: 'rfc5424', structuredData: [], message: '' },
    priority,
  );
  if (timestamp !== '-') {
    const timeMs = RFC3339_TIME.test(timestamp) ? parseRfc3339(timestamp) : undefined;
    if (timeMs === undefined) return malformed('syslog_bad_header');
    message.timeMs = timeMs;
  }
  const fields = {
    hostname: nilable(hostname),
    appName: nilable(appName),
    procId: nilable(procId),
    msgId: nilable(msgId),
  };
  for (const [key, value] of Object.entries(fields) as [keyof typeof fields, string | undefined][]) {
    if (value !== undefined) message[key] = value;
  }
  if (text.startsWith('-', index)) {
    index += 1;
  } else {
    const parsed = parseStructuredData(text, index);
    if (!parsed) return malformed('syslog_bad_structured_data');
    message.structuredData = parsed.elements;
    index = parsed.end;
  }
  if (index < text.length && text.charCodeAt(index) !== 32) return malformed('syslog_bad_structured_data');
  let body = text.slice(index + 1);
  if (body.charCodeAt(0) === 0xfeff) body = body.slice(1);
  message.message = body;
  return { ok: true, value: message };
}

function parseStructuredData(
  text: string,
  start: number,
): { elements: StructuredDataElement[]; end: number } | null {
  const elements: StructuredDataElement[] = [];
  let index = start;
  while (text[index] === '[') {
    const idMatch = /^[^\s=\]"]{1,32}/.exec(text.slice(index + 1, index + 34));
    if (!idMatch) return null;
    const element: StructuredDataElement = { id: idMatch[0], params: [] };
    index += 1 + idMatch[0].length;
    while (text[index] === ' ') {
      const equals = text.indexOf('="', index + 1);
      if (equals === -1) return null;
      const name = text.slice(index + 1, equals);
      if (!/^[^\s=\]"]{1,32}$/.test(name)) return null;
      let value = '';
      let i = equals + 2;
      for (; i < text.length && text[i] !== '"'; i++) {
        const escaped =
          text[i] === '\\' && (text[i + 1] === '"' || text[i + 1] === '\\' || text[i + 1] === ']');
        if (escaped) i++;
        value += text[i];
      }
      if (i >= text.length) return null;
      element.params.push([name, value]);
      index = i + 1;
    }
    if (text[index] !== ']') return null;
    index += 1;
    elements.push(element);
  }
  return elements.length > 0 ? { elements, end: index } : null;
}

function bsdTimeMs(match: RegExpExecArray, options: SyslogParseOptions): number | undefined {
  const month = MONTHS.indexOf(match[1] as string);
  const day = Number(match[2]);
  const [hour, minute, second] = [Number(match[4]), Number(match[5]), Number(match[6])];
  if (month < 0 || day < 1 || day > 31 || hour > 23 || minute > 59 || second > 60) return undefined;
  const fractionMs = match[7] ? Math.floor(Number(`0.${match[7]}`) * 1000) : 0;
  const offsetMs = (options.legacyUtcOffsetMinutes ?? 0) * 60_000;
  const at = (year: number) => Date.UTC(year, month, day, hour, minute, second) + fractionMs - offsetMs;
  const explicitYear = match[3] ?? match[8];
  if (explicitYear) return at(Number(explicitYear));
  const thisYear = new Date(options.nowMs).getUTCFullYear();
  // No year: the latest one that is not in the future (a December line read in January is last year's).
  return at(thisYear) > options.nowMs + DAY_MS ? at(thisYear - 1) : at(thisYear);
}

function parseRfc3164(text: string, priority: Priority, options: SyslogParseOptions): SyslogMessage {
  const message: SyslogMessage = withPriority(
    { protocol: 'rfc3164', structuredData: [], message: text },
    priority,
  );
  let rest = text;
  const bsd = BSD_TIME.exec(rest);
  const iso = bsd ? null : RFC3339_TIME.exec(rest);
  if (bsd) {
    const timeMs = bsdTimeMs(bsd, options);
    if (timeMs === undefined) return message;
    message.timeMs = timeMs;
    rest = rest.slice(bsd[0].length);
  } else if (iso) {
    const timeMs = parseRfc3339(iso[1] as string);
    if (timeMs === undefined) return message;
    message.timeMs = timeMs;
    rest = rest.slice(iso[0].length);
  } else {
    return message;
  }
  // After the time: `host tag[pid]: msg`, `tag[pid]: msg` (no host) or `host msg`.
  if (!TAG.test(rest)) {
    const space = rest.indexOf(' ');
    if (space > 0) {
      message.hostname = rest.slice(0, space);
      rest = rest.slice(space + 1);
    } else if (rest !== '') {
      message.hostname = rest;
      rest = '';
    }
  }
  const tag = TAG.exec(rest);
  if (tag) {
    message.appName = tag[1] as string;
    if (tag[2] !== undefined) message.procId = tag[2];
    rest = rest.slice(tag[0].length);
  }
  message.message = rest;
  return message;
}
