/**
 * Stable, time-sortable identifiers for every record (core, no I/O).
 *
 * An id is `<prefix>_<ULID>`: 26 Crockford base32 characters, the first 10 the
 * creation time in milliseconds, so ids sort by creation and stay unique across
 * processes without coordination.
 *
 * @example newId('evt') // 'evt_01JD3Q7Z9X8K2M4N6P8R0T2V4W'
 */
import { randomBytes } from 'node:crypto';

const CROCKFORD = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

export type IdPrefix =
  'evt' | 'alr' | 'dec' | 'inc' | 'fnd' | 'usr' | 'tok' | 'ses' | 'req' | 'msg' | 'scn' | 'sup';

let lastTimeMs = -1;
let lastRandom: Uint8Array = new Uint8Array(10);

function incrementRandom(bytes: Uint8Array): Uint8Array {
  const next = new Uint8Array(bytes);
  for (let i = next.length - 1; i >= 0; i--) {
    const value = next[i] ?? 0;
    if (value < 255) {
      next[i] = value + 1;
      return next;
    }
    next[i] = 0;
  }
  return next;
}

function encodeBase32(bytes: Uint8Array, length: number): string {
  let bits = 0;
  let value = 0;
  let out = '';
  for (const byte of bytes) {
    value = (value << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      out += CROCKFORD[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  if (bits > 0) out += CROCKFORD[(value << (5 - bits)) & 31];
  return out.slice(0, length);
}

/** A ULID string; monotonic within one process even when the clock stands still. */
export function ulid(timeMs: number = Date.now()): string {
  if (timeMs <= lastTimeMs) {
    lastRandom = incrementRandom(lastRandom);
    timeMs = lastTimeMs;
  } else {
    lastRandom = new Uint8Array(randomBytes(10));
    lastTimeMs = timeMs;
  }
  let timePart = '';
  let t = timeMs;
  for (let i = 0; i < 10; i++) {
    timePart = CROCKFORD[t % 32] + timePart;
    t = Math.floor(t / 32);
  }
  return timePart + encodeBase32(lastRandom, 16);
}

export function newId(prefix: IdPrefix, timeMs?: number): string {
  return `${prefix}_${ulid(timeMs)}`;
}

export const ID_PATTERN = /^[a-z]{3}_[0-9A-HJKMNP-TV-Z]{26}$/;
