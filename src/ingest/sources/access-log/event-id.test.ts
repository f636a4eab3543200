import { describe, expect, it } from 'vitest';
import { deterministicEventId } from './event-id.js';
import { SeededRandom } from '../../../core/seeded-random.js';

// The encoding as it was before the one-pass table (digit by digit, one string per digit),
// copied here unchanged as the reference: ids are stored and deduplicated on, so the new
// encoding must give exactly the same text for every input.
const CROCKFORD = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

function mix53(a: number, b: number): number {
  const h1 = Math.imul(a ^ (a >>> 16), 2246822507) ^ Math.imul(b ^ (b >>> 13), 3266489909);
  const h2 = Math.imul(b ^ (b >>> 16), 2246822507) ^ Math.imul(h1 ^ (h1 >>> 13), 3266489909);
  return 4294967296 * (2097151 & h2) + (h1 >>> 0);
}

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

function referenceId(timeMs: number, key: string | readonly string[]): string {
  const [first, second] = cyrb53Pair(typeof key === 'string' ? [key] : key);
  const high = first % 2 ** 40;
  const low = second % 2 ** 40;
  return `evt_${encode(Math.floor(timeMs), 10)}${encode(high, 8)}${encode(low, 8)}`;
}

/** The shared seeded generator (core/seeded-random.ts), so a failure names an input that can be replayed. */
function random(seed: number): () => number {
  const generator = new SeededRandom(seed);
  return () => generator.next();
}

function randomText(next: () => number): string {
  const length = Math.floor(next() * 40);
  let text = '';
  for (let i = 0; i < length; i++) {
    const roll = next();
    // Mostly ASCII, some BMP characters and newlines (the parts' separator).
    text +=
      roll < 0.05
        ? '\n'
        : roll < 0.15
          ? String.fromCharCode(0x80 + Math.floor(next() * 0xff00))
          : String.fromCharCode(32 + Math.floor(next() * 95));
  }
  return text;
}

describe('deterministicEventId', () => {
  it('gives the reference encoding for 20,000 random times and keys', () => {
    const next = random(11);
    for (let i = 0; i < 20_000; i++) {
      // Times across the whole 10-digit range, fractional ones included, and around today.
      const roll = next();
      const timeMs =
        roll < 0.4
          ? Math.floor(next() * 2 ** 50)
          : roll < 0.6
            ? next() * 2 ** 50
            : 1.7e12 + Math.floor(next() * 1e11);
      const parts = Array.from({ length: 1 + Math.floor(next() * 7) }, () => randomText(next));
      const key = next() < 0.2 ? parts.join('\n') : parts;
      const id = deterministicEventId(timeMs, key);
      expect(id, JSON.stringify({ timeMs, key })).toBe(referenceId(timeMs, key));
      expect(id).toMatch(/^evt_[0-9A-HJKMNP-TV-Z]{26}$/);
    }
  });

  it('gives the reference encoding at the edges of the time range and outside it', () => {
    const times = [
      0,
      -0,
      0.999,
      1,
      31,
      32,
      2 ** 25 - 1,
      2 ** 25,
      2 ** 50 - 1,
      2 ** 50,
      2 ** 52,
      -1,
      -0.5,
      NaN,
    ];
    for (const timeMs of times) {
      for (const key of ['', 'a', ['delivery', 's1', 'vehicle', 'v-1', 'gps', '7', '1700000000000']]) {
        expect(deterministicEventId(timeMs, key), String(timeMs)).toBe(referenceId(timeMs, key));
      }
    }
  });

  it('keeps consecutive ids independent (the shared buffer is copied into each string)', () => {
    const first = deterministicEventId(1_700_000_000_000, ['a']);
    const second = deterministicEventId(1_700_000_000_001, ['b']);
    expect(first).toBe(referenceId(1_700_000_000_000, ['a']));
    expect(second).toBe(referenceId(1_700_000_000_001, ['b']));
    expect(first).not.toBe(second);
  });
});
