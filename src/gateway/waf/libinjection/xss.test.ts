// Tests of the XSS detector against libinjection's html5 vectors and XSS corpora.
import { beforeAll, describe, expect, it } from 'vitest';
import { XSS_REQUIRED_LITERALS } from './operators.js';
import { detectXss, Html5Tokenizer } from './xss/index.js';
import {
  assertReferencePresent,
  corpusFiles,
  readCorpus,
  readVectors,
  runFamily,
} from './testing/reference.js';

beforeAll(() => assertReferencePresent());

describe('HTML5 tokenizer', () => {
  it('produces the tokens of every test-html5 vector', () => {
    const r = runFamily(readVectors('test-html5-'), (input) => {
      const t = new Html5Tokenizer(input, 'data');
      const out: string[] = [];
      while (t.next()) out.push(`${t.token.type},${t.token.length},${t.text()}`);
      return out;
    });
    console.log(`test-html5 vectors: ${r.passed} of ${r.passed + r.failed} as expected`);
    for (const f of r.failures) console.log(f);
    expect(r.passed).toBe(63);
    expect(r.failed).toBe(0);
  });
});

describe('detectXss', () => {
  it('detects the attack corpora (xss-*.txt)', () => {
    let total = 0;
    let detected = 0;
    for (const file of corpusFiles('xss-')) {
      const lines = readCorpus(file);
      const misses = lines.filter((l) => !detectXss(l));
      const hits = lines.length - misses.length;
      console.log(`${file}: ${hits}/${lines.length}`);
      for (const m of misses) console.log(`  missed: ${JSON.stringify(m)}`);
      expect(hits / lines.length).toBeGreaterThanOrEqual(0.97);
      total += lines.length;
      detected += hits;
    }
    console.log(`xss corpora: ${detected}/${total} (${((100 * detected) / total).toFixed(2)} %)`);
    expect(total).toBeGreaterThan(1600);
    expect(detected / total).toBeGreaterThanOrEqual(0.996);
  });

  it('flags nothing in false_positives.txt', () => {
    const lines = readCorpus('false_positives.txt');
    expect(lines.filter((l) => detectXss(l))).toEqual([]);
  });

  it('flags only values that hold one of its required literals (the engine prefilter)', () => {
    const holdsOne = (value: string): boolean => XSS_REQUIRED_LITERALS.some((l) => value.includes(l));
    let flagged = 0;
    for (const file of [...corpusFiles('xss-'), ...corpusFiles('sqli-'), 'false_positives.txt']) {
      for (const line of readCorpus(file)) {
        if (!detectXss(line)) continue;
        flagged++;
        expect(holdsOne(line), `${file}: ${line}`).toBe(true);
      }
    }
    expect(flagged).toBeGreaterThan(1600);
    for (const nearMiss of [
      'x onmouseover alert(1)',
      '" onload "alert(1)',
      'javascript:alert(1)',
      '/script>x',
      '`onerror`',
    ])
      expect(detectXss(nearMiss), nearMiss).toBe(false);
    // Random values over every byte but the required ones, weighted to HTML's syntax: never flagged.
    const alphabet = `>/"'\`!?-&#;:()[]{} \t\n\r\0abcdefghijklmnopqrstuvwxyzONSCRIPTJAVA0123456789\u00ff`;
    let seed = 42;
    const random = (n: number): number => (seed = (seed * 1103515245 + 12345) & 0x7fffffff) % n;
    for (let i = 0; i < 20_000; i++) {
      let value = '';
      for (let j = random(40); j >= 0; j--) value += alphabet[random(alphabet.length)];
      expect(detectXss(value), JSON.stringify(value)).toBe(false);
    }
  });

  it('sees script in each place input lands in a page', () => {
    expect(detectXss('<script>alert(1)</script>')).toBe(true);
    expect(detectXss('x onmouseover=alert(1)')).toBe(true);
    expect(detectXss('" onload="alert(1)')).toBe(true);
    expect(detectXss('<a href="&#106;avascript:alert(1)">x</a>')).toBe(true);
    expect(detectXss('<a href="/products?id=3">shoes</a>')).toBe(false);
    expect(detectXss('Fish & chips <b>tonight</b>')).toBe(false);
  });
});
