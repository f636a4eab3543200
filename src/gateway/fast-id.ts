/**
 * Cheap, time-sortable ids for the gateway's hot path (request ids and event ids): the same
 * `<prefix>_<ULID>` shape as src/core/ids.ts (10 Crockford chars of milliseconds, then 16
 * of randomness), made for tens of thousands of calls a second. core's `newId` calls
 * crypto.randomBytes and re-encodes all 26 characters per id; here the randomness comes
 * from a pre-filled pool, the time part is encoded once per millisecond, and within one
 * millisecond the random part is incremented (as a monotonic ULID does), so only the last
 * 8 characters are re-encoded.
 *
 * @example
 * const nextRequestId = fastIdGenerator('req');
 * nextRequestId(); // 'req_01JD3Q7Z9X8K2M4N6P8R0T2V4W'
 * nextRequestId(Date.parse('2025-01-01T00:00:00Z')); // time part of that date, or later
 */
import { randomFillSync } from 'node:crypto';
import type { IdPrefix } from '../core/ids.js';

const CROCKFORD = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
/** Every 10-bit value as two Crockford characters: 4 lookups encode 40 bits. */
const PAIRS: string[] = Array.from(
  { length: 1024 },
  (_, v) => (CROCKFORD[v >>> 5] ?? '0') + (CROCKFORD[v & 31] ?? '0'),
);
const TWO_POW_40 = 2 ** 40;

/** One crypto call serves 512 milliseconds: each new one takes 10 bytes, ids within it none. */
const POOL_BYTES = 5_120;
const pool = Buffer.allocUnsafe(POOL_BYTES);
let poolOffset = POOL_BYTES;

function random40(): number {
  if (poolOffset + 5 > POOL_BYTES) {
    randomFillSync(pool);
    poolOffset = 0;
  }
  const value = pool.readUIntBE(poolOffset, 5);
  poolOffset += 5;
  return value;
}

/** 40 bits (0 <= value < 2^40) as 8 Crockford characters. */
function encode40(value: number): string {
  const high = Math.floor(value / 1_048_576);
  const low = value % 1_048_576;
  return (
    (PAIRS[high >>> 10] as string) +
    (PAIRS[high & 1023] as string) +
    (PAIRS[low >>> 10] as string) +
    (PAIRS[low & 1023] as string)
  );
}

function encodeTime(timeMs: number): string {
  let out = '';
  let t = timeMs;
  for (let i = 0; i < 10; i++) {
    out = (CROCKFORD[t % 32] ?? '0') + out;
    t = Math.floor(t / 32);
  }
  return out;
}

/**
 * A generator of `<prefix>_<ULID>` ids (time `timeMs`, default now), monotonic within the
 * generator even when the time stands still or steps back (the last time is kept, as core's
 * ulid does).
 */
export function fastIdGenerator(prefix: IdPrefix): (timeMs?: number) => string {
  let lastTimeMs = -1;
  let head = '';
  let randomHigh = 0;
  let randomLow = 0;
  return (timeMs = Date.now()) => {
    const nowMs = Math.floor(timeMs);
    if (nowMs > lastTimeMs) {
      lastTimeMs = nowMs;
      randomHigh = random40();
      randomLow = random40();
      head = `${prefix}_${encodeTime(nowMs)}${encode40(randomHigh)}`;
    } else if (++randomLow === TWO_POW_40) {
      // 2^40 ids in one millisecond will not happen; carrying keeps the order right anyway.
      randomLow = 0;
      randomHigh = (randomHigh + 1) % TWO_POW_40;
      head = `${prefix}_${encodeTime(lastTimeMs)}${encode40(randomHigh)}`;
    }
    return head + encode40(randomLow);
  };
}
