/**
 * Sigma timespans (detect/correlation): `30s`, `5m`, `1h`, `2d` (number + lowercase letter, as
 * the correlation specification writes them) to milliseconds.
 *
 * @example parseTimespan('90m') // 5_400_000
 */
const UNIT_MS: Record<string, number> = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };

/** Milliseconds, or null when the text is not a timespan. */
export function parseTimespan(text: unknown): number | null {
  if (typeof text !== 'string') return null;
  const match = /^(\d+)([smhdw])$/.exec(text.trim());
  if (!match) return null;
  const ms = Number(match[1]) * UNIT_MS[match[2]!]!;
  return ms > 0 && Number.isSafeInteger(ms) ? ms : null;
}
