/**
 * Deterministic event ids for lines read from files (ingest): the same `evt_<ULID>` shape as
 * src/core/ids.ts, with the event's own time as the ULID time and a hash of where the line
 * was read (source, file, offset, text) as its 80 "random" bits. Reading the same line again
 * (a restart after a crash, `ensuresec ingest` run twice) gives the same id, which the bus
 * and the store use to keep one copy.
 *
 * @example deterministicEventId(Date.parse('2025-03-01T12:00:00Z'), ['nginx', '/var/log/access.log', '1042', 'GET …'])
 */

const CROCKFORD = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

/** Final mix of cyrb53 (public domain): two 32-bit lanes to a 53-bit number. */
function mix53(a: number, b: number): number {
  const h1 = Math.imul(a ^ (a >>> 16), 2246822507) ^ Math.imul(b ^ (b >>> 13), 3266489909);
  const h2 = Math.imul(b ^ (b >>> 16), 2246822507) ^ Math.imul(h1 ^ (h1 >>> 13), 3266489909);
  return 4294967296 * (2097151 & h2) + (h1 >>> 0);
}

/**
 * cyrb53 of `parts` joined by newlines, with seeds 1 and 2, in one pass and without building
 * the joined string (the ids are on the hot path of every line read).
 */
function cyrb53Pair(parts: readonly string[]): [number, number] {
  let a1 = 0xdeadbeef ^ 1;
  let a2 = 0x41c6ce57 ^ 1;
  let b1 = 0xdeadbeef ^ 2;
  let b2 = 0x41c6ce57 ^ 2;
  for (let p = 0; p < parts.length; p++) {
    const text = parts[p]!;
    if (p > 0) {
      a1 = Math.imul(a1 ^ 10, 2654435761);
      a2 = Math.imul(a2 ^ 10, 1597334677);
      b1 = Math.imul(b1 ^ 10, 2654435761);
      b2 = Math.imul(b2 ^ 10, 1597334677);
    }
    for (let i = 0; i < text.length; i++) {
      const code = text.charCodeAt(i);
      a1 = Math.imul(a1 ^ code, 2654435761);
      a2 = Math.imul(a2 ^ code, 1597334677);
      b1 = Math.imul(b1 ^ code, 2654435761);
      b2 = Math.imul(b2 ^ code, 1597334677);
    }
  }
  return [mix53(a1, a2), mix53(b1, b2)];
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

const TWO_POW_20 = 2 ** 20;
const TWO_POW_25 = 2 ** 25;
const TWO_POW_40 = 2 ** 40;
const TWO_POW_50 = 2 ** 50;

/** Character codes of the Crockford digits, by value. */
const DIGIT_CODES: readonly number[] = Array.from(CROCKFORD, (digit) => digit.charCodeAt(0));
/** The id's 30 character codes, `evt_` then 26 digits, rewritten for each id (one string built from it). */
const ID_CODES: number[] = [...'evt_'].map((c) => c.charCodeAt(0)).concat(new Array<number>(26).fill(0));

/** Writes `count` digits of `value` (< 32^count, at most 2^30) ending before `at + count`. */
function putDigits(value: number, at: number, count: number): void {
  let rest = value;
  for (let i = at + count - 1; i >= at; i--) {
    ID_CODES[i] = DIGIT_CODES[rest & 31]!;
    rest >>>= 5;
  }
}

/** The id of an event at `timeMs` read from `key`, or from `key` parts joined by newlines. */
export function deterministicEventId(timeMs: number, key: string | readonly string[]): string {
  const [first, second] = cyrb53Pair(typeof key === 'string' ? [key] : key);
  const high = first % TWO_POW_40;
  const low = second % TWO_POW_40;
  const time = Math.floor(timeMs);
  // Times outside 10 digits (negative, NaN, after year 37 648) keep the general encoding.
  if (!(time >= 0 && time < TWO_POW_50)) {
    return `evt_${encode(time, 10)}${encode(high, 8)}${encode(low, 8)}`;
  }
  // One pass over a table, one string: the same digits as `encode`, in 25- and 20-bit halves
  // so that each half fits the 32-bit operators.
  putDigits(Math.floor(time / TWO_POW_25), 4, 5);
  putDigits(time % TWO_POW_25, 9, 5);
  putDigits(Math.floor(high / TWO_POW_20), 14, 4);
  putDigits(high % TWO_POW_20, 18, 4);
  putDigits(Math.floor(low / TWO_POW_20), 22, 4);
  putDigits(low % TWO_POW_20, 26, 4);
  return String.fromCharCode.apply(null, ID_CODES);
}
