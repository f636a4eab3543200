/**
 * Calendar arithmetic in UTC (regulation, no I/O): "one month after" is the same day of the
 * next month at the same UTC time, or the last day of that month when it is shorter (31 Jan →
 * 28 or 29 Feb). Hours are exact durations; DST never moves a UTC deadline.
 *
 * @example addMonthsUtc(Date.parse('2028-01-31T10:00:00Z'), 1) // 2028-02-29T10:00:00Z
 */

export const HOUR_MS = 3_600_000;

export function addMonthsUtc(timeMs: number, months: number): number {
  const date = new Date(timeMs);
  const targetMonth = date.getUTCMonth() + months;
  const firstOfTarget = Date.UTC(date.getUTCFullYear(), targetMonth, 1);
  const daysInTarget = new Date(
    Date.UTC(new Date(firstOfTarget).getUTCFullYear(), new Date(firstOfTarget).getUTCMonth() + 1, 0),
  ).getUTCDate();
  const day = Math.min(date.getUTCDate(), daysInTarget);
  return Date.UTC(
    new Date(firstOfTarget).getUTCFullYear(),
    new Date(firstOfTarget).getUTCMonth(),
    day,
    date.getUTCHours(),
    date.getUTCMinutes(),
    date.getUTCSeconds(),
    date.getUTCMilliseconds(),
  );
}

/** `2026-03-29 03:30 CEST (Europe/Berlin)`: an instant as people in the entity's zone read it. */
export function formatInZone(timeMs: number, timeZone: string): string {
  const parts = new Intl.DateTimeFormat('en-CA', {
    timeZone,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
    timeZoneName: 'short',
  }).formatToParts(new Date(timeMs));
  const get = (type: Intl.DateTimeFormatPartTypes) => parts.find((part) => part.type === type)?.value ?? '';
  return `${get('year')}-${get('month')}-${get('day')} ${get('hour')}:${get('minute')} ${get('timeZoneName')} (${timeZone})`;
}
