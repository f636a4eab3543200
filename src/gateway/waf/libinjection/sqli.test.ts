// Tests of the SQLi detector against libinjection's published unit vectors and corpora.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { detectSqli, foldTokens, formatToken, SqlFlag, SqlTokenizer } from './sqli/index.js';
import {
  assertReferencePresent,
  corpusFiles,
  readCorpus,
  readVectors,
  runFamily,
  urlDecodeToBytes,
  type FamilyResult,
} from './testing/reference.js';

const ANSI = SqlFlag.quoteNone | SqlFlag.sqlAnsi;

function report(name: string, r: FamilyResult): void {
  console.log(`${name} vectors: ${r.passed} of ${r.passed + r.failed} as expected`);
  for (const f of r.failures) console.log(f);
}

beforeAll(() => assertReferencePresent());

describe('SQL tokenizer', () => {
  it('produces the token streams of every test-tokens vector', () => {
    const r = runFamily(readVectors('test-tokens-'), (input) => {
      const tokenizer = new SqlTokenizer(input, ANSI);
      const out: string[] = [];
      for (let t = tokenizer.next(); t !== null; t = tokenizer.next()) out.push(formatToken(t));
      return out;
    });
    report('test-tokens', r);
    expect(r.passed).toBe(249);
    expect(r.failed).toBe(0);
  });
});

describe('SQL folding', () => {
  it('folds every test-folding vector to the expected tokens', () => {
    const r = runFamily(readVectors('test-folding-'), (input) =>
      foldTokens(new SqlTokenizer(input, ANSI)).map(formatToken),
    );
    report('test-folding', r);
    expect(r.passed).toBe(118);
    expect(r.failed).toBe(0);
  });
});

describe('detectSqli', () => {
  it('gives the expected fingerprint (or none) for every test-sqli vector', () => {
    const r = runFamily(readVectors('test-sqli-'), (input) => {
      const result = detectSqli(input);
      return result.isInjection ? [result.fingerprint] : [];
    });
    report('test-sqli', r);
    expect(r.passed).toBe(50);
    expect(r.failed).toBe(0);
  });

  it('detects the attack corpora (sqli-*.txt)', () => {
    let total = 0;
    let detected = 0;
    for (const file of corpusFiles('sqli-')) {
      const lines = readCorpus(file);
      const hits = lines.filter((l) => detectSqli(l).isInjection).length;
      console.log(`${file}: ${hits}/${lines.length} (${((100 * hits) / lines.length).toFixed(2)} %)`);
      // The BlackHat 2013 evasion set was written to get past libinjection; 55/62 is its level.
      expect(hits / lines.length).toBeGreaterThanOrEqual(0.88);
      total += lines.length;
      detected += hits;
    }
    console.log(`sqli corpora: ${detected}/${total} (${((100 * detected) / total).toFixed(3)} %)`);
    expect(total).toBeGreaterThan(17000);
    expect(detected / total).toBeGreaterThanOrEqual(0.9985);
  });

  it('flags nothing in false_positives.txt beyond what libinjection itself flags', () => {
    const known = new Set(
      readFileSync(join(import.meta.dirname, 'fixtures/false-positives-known.txt'), 'latin1')
        .split('\n')
        .filter((l) => l !== '' && !l.startsWith('#'))
        .map(urlDecodeToBytes),
    );
    const lines = readCorpus('false_positives.txt');
    const flagged = lines.filter((l) => detectSqli(l).isInjection);
    console.log(
      `false_positives.txt: ${flagged.length}/${lines.length} flagged (all known libinjection ones)`,
    );
    expect(lines.length).toBeGreaterThan(400);
    expect(flagged.filter((l) => !known.has(l))).toEqual([]);
  });

  it('explains its decision with the fingerprint of the deciding pass', () => {
    expect(detectSqli("1' OR '1'='1")).toEqual({ isInjection: true, fingerprint: 's&sos' });
    expect(detectSqli('-1 UNION SELECT password FROM users--')).toMatchObject({ isInjection: true });
    expect(detectSqli('a plain sentence, nothing more')).toMatchObject({ isInjection: false });
    expect(detectSqli('')).toEqual({ isInjection: false, fingerprint: '' });
  });
});
