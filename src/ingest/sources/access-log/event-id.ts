/**
 * Deterministic event ids for lines read from files (ingest): the same `evt_<ULID>` shape as
 * src/core/ids.ts, with the event's own time as the ULID time and a hash of where the line
 * was read (source, file, offset, text) as its 80 "random" bits. Reading the same line again
 * (a restart after a crash, `ensuresec ingest` run twice) gives the same id, which the bus
 * and the store use to keep one copy.
 *
 * @example deterministicEventId(Date.parse('2025-03-01T12:00:00Z'), 'nginx|/var/log/access.log|1042|GET …')
 */

const CROCKFORD = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

/** 53-bit string hash (cyrb53, public domain): fast, well mixed, not cryptographic. */
function cyrb53(text: string, seed: number): number {
  let h1 = 0xdeadbeef ^ seed;
  let h2 = 0x41c6ce57 ^ seed;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    h1 = Math.imul(h1 ^ code, 2654435761);
    h2 = Math.imul(h2 ^ code, 1597334677);
  }
  h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507) ^ Math.imul(h2 ^ (h2 >>> 13), 3266489909);
  h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507) ^ Math.imul(h1 ^ (h1 >>> 13), 3266489909);
  return 4294967296 * (2097151 & h2) + (h1 >>> 0);
}

function encode(value: number, length: number): string {
  let out = '';
  let rest = value;
  for (let i = 0; i < length; i++) {
    out = CROCKFORD[rest % 32] + out;
    rest = Math.floor(rest / 32);
  }
  return out;
}

const TWO_POW_40 = 2 ** 40;

export function deterministicEventId(timeMs: number, key: string): string {
  const high = cyrb53(key, 1) % TWO_POW_40;
  const low = cyrb53(key, 2) % TWO_POW_40;
  return `evt_${encode(Math.floor(timeMs), 10)}${encode(high, 8)}${encode(low, 8)}`;
}
