/**
 * Timestamps in access logs (ingest, access-log source): CLF's `[10/Oct/2000:13:55:36 -0700]`
 * (with optional `.mmm` after the seconds), ISO 8601 (`$time_iso8601`), and epoch numbers in
 * seconds, milliseconds, micro- or nanoseconds (`$msec`, Caddy's `ts`). Returns epoch
 * milliseconds, or undefined when the text is not a time this side of year 10000.
 *
 * @example parseClfTime('10/Oct/2000:13:55:36 -0700') // 971211336000
 */

const MONTHS: Record<string, number> = {
  Jan: 0,
  Feb: 1,
  Mar: 2,
  Apr: 3,
  May: 4,
  Jun: 5,
  Jul: 6,
  Aug: 7,
  Sep: 8,
  Oct: 9,
  Nov: 10,
  Dec: 11,
};
const MAX_TIME_MS = 253_402_300_799_999;

function digits(text: string, start: number, count: number): number {
  let value = 0;
  for (let i = start; i < start + count; i++) {
    const code = text.charCodeAt(i) - 48;
    if (code < 0 || code > 9) return Number.NaN;
    value = value * 10 + code;
  }
  return value;
}

function inRange(ms: number): number | undefined {
  return Number.isFinite(ms) && ms >= 0 && ms <= MAX_TIME_MS ? ms : undefined;
}

export function parseClfTime(text: string): number | undefined {
  // dd/Mon/yyyy:HH:MM:SS[.fff] ±hhmm
  if (text.charCodeAt(2) !== 47 || text.charCodeAt(6) !== 47 || text.charCodeAt(11) !== 58) return undefined;
  const month = MONTHS[text.slice(3, 6)];
  if (month === undefined) return undefined;
  const day = digits(text, 0, 2);
  const year = digits(text, 7, 4);
  const hour = digits(text, 12, 2);
  const minute = digits(text, 15, 2);
  const second = digits(text, 18, 2);
  let index = 20;
  let fractionMs = 0;
  if (text.charCodeAt(index) === 46) {
    let end = index + 1;
    while (end < text.length && text.charCodeAt(end) >= 48 && text.charCodeAt(end) <= 57) end++;
    fractionMs = Number(`0${text.slice(index, end)}`) * 1000;
    index = end;
  }
  let offsetMin = 0;
  if (index < text.length) {
    if (text.charCodeAt(index) !== 32 || text.length !== index + 6) return undefined;
    const sign = text[index + 1] === '-' ? -1 : text[index + 1] === '+' ? 1 : 0;
    offsetMin = sign * (digits(text, index + 2, 2) * 60 + digits(text, index + 4, 2));
  }
  if (day < 1 || day > 31 || hour > 23 || minute > 59 || second > 60) return undefined;
  const ms = Date.UTC(year, month, day, hour, minute, second) - offsetMin * 60_000 + Math.floor(fractionMs);
  return inRange(ms);
}

function fromEpochNumber(value: number): number | undefined {
  const magnitude = Math.abs(value);
  if (magnitude < 1e11) return inRange(Math.round(value * 1000));
  if (magnitude < 1e14) return inRange(Math.round(value));
  if (magnitude < 1e17) return inRange(Math.round(value / 1000));
  return inRange(Math.round(value / 1e6));
}

const ISO_START = /^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}/;
const NUMERIC = /^\d+(\.\d+)?$/;

/** A time from a JSON field: a number, a numeric string, ISO 8601 or CLF text. */
export function parseTimeValue(value: unknown): number | undefined {
  if (typeof value === 'number') return fromEpochNumber(value);
  if (typeof value !== 'string') return undefined;
  if (NUMERIC.test(value)) return fromEpochNumber(Number(value));
  if (ISO_START.test(value)) {
    // `2025-03-01 12:00:00` (no T, no zone) is read as UTC, as most JSON loggers mean it.
    const iso = value.charCodeAt(10) === 32 ? `${value.slice(0, 10)}T${value.slice(11)}` : value;
    const hasZone = /(Z|[+-]\d{2}:?\d{2})$/.test(iso);
    return inRange(Date.parse(hasZone ? iso : `${iso}Z`));
  }
  return parseClfTime(value.startsWith('[') && value.endsWith(']') ? value.slice(1, -1) : value);
}
