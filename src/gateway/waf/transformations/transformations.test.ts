/**
 * Tests of the SecLang transformations (gateway/waf/transformations): every fixture table
 * in ./fixtures runs through one loop, then properties every transformation must keep on
 * random bytes (byte string out, no throw, linear time).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

import { describe, expect, it } from 'vitest';
import { SeededRandom } from '../../../core/seeded-random.js';

import {
  TRANSFORMATIONS,
  createUrlDecodeUni,
  getTransformation,
  isResetTransformation,
  listTransformationNames,
} from './index.js';

interface FixtureCase {
  name: string;
  input: string;
  expected: string;
  note?: string;
}

const FIXTURE_DIR = join(import.meta.dirname, 'fixtures');
const fixtureFiles = readdirSync(FIXTURE_DIR).filter((file) => file.endsWith('.json'));
const fixtureCases = fixtureFiles.flatMap((file) =>
  (JSON.parse(readFileSync(join(FIXTURE_DIR, file), 'utf8')) as FixtureCase[]).map((fixture, index) => ({
    ...fixture,
    file,
    index,
  })),
);

/** Deterministic PRNG (mulberry32) so that a failing random input can be reproduced. */
function randomBytes(seed: number): (length: number) => string {
  let state = seed >>> 0;
  const next = (): number => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  // Biased towards the bytes decoders care about, so sequences actually form.
  const interesting = '%uU+\\xX0123456789abcdefABCDEF&#;/.*-<!>=\0 \t\n\r\xa0\xc2\xc3\xe2\xf0\x80\xbf\xff';
  return (length) => {
    let out = '';
    for (let i = 0; i < length; i++) {
      out +=
        next() < 0.6
          ? interesting.charAt(Math.floor(next() * interesting.length))
          : String.fromCharCode(Math.floor(next() * 256));
    }
    return out;
  };
}

function isByteString(value: string): boolean {
  return !/[^\0-\xff]/.test(value);
}

describe('transformation fixtures', () => {
  it('has a fixture file with at least six cases for every registered transformation', () => {
    const covered = new Map<string, number>();
    for (const fixture of fixtureCases) covered.set(fixture.name, (covered.get(fixture.name) ?? 0) + 1);
    for (const name of listTransformationNames())
      expect(covered.get(name) ?? 0, name).toBeGreaterThanOrEqual(6);
  });

  it.each(fixtureCases)('$file #$index: $name', ({ name, input, expected }) => {
    const transformation = getTransformation(name);
    expect(transformation, `unknown transformation ${name}`).toBeDefined();
    expect(transformation?.(input)).toBe(expected);
  });
});

describe('transformation registry', () => {
  it('finds names case-insensitively, as CRS writes both base64Decode and base64decode', () => {
    expect(getTransformation('base64decode')).toBe(TRANSFORMATIONS['base64Decode']);
    expect(getTransformation('URLDECODEUNI')).toBe(TRANSFORMATIONS['urlDecodeUni']);
    expect(getTransformation('utf8ToUnicode')?.('\xc3\xa9')).toBe('%u00e9');
  });

  it('answers undefined for a name it does not know', () => {
    expect(getTransformation('alert')).toBeUndefined();
    expect(getTransformation('')).toBeUndefined();
  });

  it('marks none, in any case, as the reset of the pipeline and nothing else', () => {
    expect(isResetTransformation('none')).toBe(true);
    expect(isResetTransformation('None')).toBe(true);
    expect(isResetTransformation('lowercase')).toBe(false);
    expect(getTransformation('none')?.('A%41')).toBe('A%41');
  });

  it('covers every transformation CRS 4.28 uses', () => {
    const crsNames = [
      'none',
      'urlDecodeUni',
      'lowercase',
      'jsDecode',
      'htmlEntityDecode',
      'utf8toUnicode',
      'removeNulls',
      'cssDecode',
      'cmdLine',
      'removeWhitespace',
      'replaceComments',
      'normalizePath',
      'escapeSeqDecode',
      'compressWhitespace',
      'normalizePathWin',
      'length',
      'base64Decode',
      'sha1',
      'hexEncode',
      'removeCommentsChar',
    ];
    for (const name of crsNames) expect(getTransformation(name), name).toBeDefined();
  });

  it('lists its names in alphabetical order', () => {
    const names = Object.keys(TRANSFORMATIONS);
    expect(names).toEqual([...names].sort((a, b) => a.toLowerCase().localeCompare(b.toLowerCase())));
  });
});

describe('urlDecodeUni with a unicode map', () => {
  it('uses the mapped byte for a mapped code point and the low byte otherwise', () => {
    const map = new Int16Array(0x10000).fill(-1);
    map[0x3002] = 0x2e;
    const decode = createUrlDecodeUni(map);
    expect(decode('a%u3002b%u0141%uff1c')).toBe('a.bA<');
  });
});

describe('transformation properties on random bytes', () => {
  const entries = Object.entries(TRANSFORMATIONS);

  it('returns a byte string and never throws, for 2,000 random inputs each', () => {
    const generate = randomBytes(0x5eed);
    const inputs = Array.from({ length: 2000 }, (_, i) => generate(i % 97));
    const failures: string[] = [];
    for (const [name, transformation] of entries) {
      for (const input of inputs) {
        try {
          if (!isByteString(transformation(input)))
            failures.push(`${name}: non-byte output for ${JSON.stringify(input)}`);
        } catch (error) {
          failures.push(`${name}: threw ${String(error)} on ${JSON.stringify(input)}`);
        }
      }
    }
    expect(failures.slice(0, 5)).toEqual([]);
  });

  it('does not throw on characters above 0xFF, which the byte-string contract excludes', () => {
    const outOfContract = '\u0100%u0041\u20ac\\u0041&#65;\\\u0101';
    for (const [name, transformation] of entries) {
      expect(() => transformation(outOfContract), name).not.toThrow();
    }
  });

  it('runs in linear time on 100 KB inputs', () => {
    const generate = randomBytes(42);
    const random = generate(100_000);
    // Shapes that would make a naive implementation quadratic: long runs of one marker.
    const adversarial = [
      '%'.repeat(100_000),
      '&#'.repeat(50_000),
      '\\'.repeat(100_000),
      '/*'.repeat(50_000),
      '../'.repeat(33_333),
      '\xc3'.repeat(100_000),
    ];
    const slow: string[] = [];
    for (const [name, transformation] of entries) {
      for (const input of [random, ...adversarial]) {
        const startedMs = performance.now();
        transformation(input);
        const elapsedMs = performance.now() - startedMs;
        // The budget is ~50 ms; a loose bound keeps the shared machine from making this flaky.
        if (elapsedMs > 500) slow.push(`${name}: ${elapsedMs.toFixed(0)} ms`);
      }
    }
    expect(slow).toEqual([]);
  });
});

describe('compressWhitespace fast path', () => {
  const compress = getTransformation('compressWhitespace');
  const byRegex = (input: string) => input.replace(/[ \t\n\v\f\r]+/g, ' ');

  it('returns text whose whitespace is single spaces as the same string, not a copy', () => {
    const text = 'Please leave the parcel at the blue door number 12';
    expect(compress?.(text)).toBe(text);
    expect(compress?.('')).toBe('');
  });

  it('matches the whitespace-run rule on 5,000 seeded strings of spaces, controls and letters', () => {
    const alphabet = [' ', ' ', 'a', 'b', '\t', '\n', '\v', '\f', '\r', '\u00a0', '\u0008', '\u000e'];
    const random = new SeededRandom(0x5eed);
    const mismatches: string[] = [];
    for (let i = 0; i < 5000; i++) {
      let input = '';
      for (let j = random.int(0, 11); j > 0; j--) input += random.pick(alphabet);
      if (compress?.(input) !== byRegex(input)) mismatches.push(JSON.stringify(input));
    }
    expect(mismatches.slice(0, 5)).toEqual([]);
  });
});
