/**
 * ISO 8601 timestamps for the gateway's events (hot path): `new Date(ms).toISOString()`
 * allocates a Date and formats every field per event; at most one format per second is
 * needed, the milliseconds are appended to the cached `YYYY-MM-DDTHH:MM:SS.` prefix.
 *
 * @example isoTime(Date.parse('2025-03-01T12:00:00.042Z')) === '2025-03-01T12:00:00.042Z'
 */

let cachedSecond = Number.NaN;
let cachedPrefix = '';

export function isoTime(timeMs: number): string {
  // Fractions (a test clock) and NaN take the slow path, which formats or throws as before.
  if (!Number.isInteger(timeMs)) return new Date(timeMs).toISOString();
  const second = Math.floor(timeMs / 1000);
  if (second !== cachedSecond) {
    // Format first: a time out of Date's range throws here and leaves the cache as it was.
    cachedPrefix = new Date(second * 1000).toISOString().slice(0, -4);
    cachedSecond = second;
  }
  const milli = timeMs - second * 1000;
  return `${cachedPrefix}${milli < 10 ? '00' : milli < 100 ? '0' : ''}${milli}Z`;
}
