// Tests of the XSS detector against libinjection's html5 vectors and XSS corpora.
import { beforeAll, describe, expect, it } from 'vitest';
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

  it('sees script in each place input lands in a page', () => {
    expect(detectXss('<script>alert(1)</script>')).toBe(true);
    expect(detectXss('x onmouseover=alert(1)')).toBe(true);
    expect(detectXss('" onload="alert(1)')).toBe(true);
    expect(detectXss('<a href="&#106;avascript:alert(1)">x</a>')).toBe(true);
    expect(detectXss('<a href="/products?id=3">shoes</a>')).toBe(false);
    expect(detectXss('Fish & chips <b>tonight</b>')).toBe(false);
  });
});
