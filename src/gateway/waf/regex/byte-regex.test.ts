/**
 * The PCRE -> JavaScript translation and the linear-time defence (gateway/waf/regex), checked
 * on a table of constructs (fixtures/constructs.json), on every @rx of CRS 4.28.0 in
 * ../shared/crs, and on inputs that make backtracking engines blow up.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { compileByteRegex, PcreSyntaxError } from './byte-regex.js';
import { crsRxPatterns } from './crs-rx-patterns.js';

interface ConstructCase {
  pattern: string;
  input: string;
  expected: boolean;
  why: string;
}

const fixtures = join(import.meta.dirname, 'fixtures');
const readJson = <T>(name: string): T => JSON.parse(readFileSync(join(fixtures, name), 'utf8')) as T;
const crsRules = join(import.meta.dirname, '../../../../../shared/crs/rules');

describe('PCRE translation', () => {
  for (const testCase of readJson<ConstructCase[]>('constructs.json')) {
    it(`${testCase.why}: /${testCase.pattern}/ on ${JSON.stringify(testCase.input)} -> ${testCase.expected}`, () => {
      const regex = compileByteRegex(testCase.pattern);
      expect(regex.test(testCase.input)).toBe(testCase.expected);
      expect(regex.exec(testCase.input) !== null).toBe(testCase.expected);
      const backtracking = compileByteRegex(testCase.pattern, { backtrackingOnly: true });
      expect(backtracking.test(testCase.input)).toBe(testCase.expected);
    });
  }

  it('never uses the u flag, and uses i only when PCRE folding and JavaScript folding agree', () => {
    expect(compileByteRegex('(?i)select').jsFlags).toBe('i');
    expect(compileByteRegex('(?i)caf\\xe9').jsFlags).toBe('');
    expect(compileByteRegex('abc').jsFlags).toBe('');
  });

  it('maps PCRE group numbers through the groups atomic emulation adds', () => {
    expect(compileByteRegex('(?>(a))(b)').exec('ab')).toEqual(['ab', 'a', 'b']);
    expect(compileByteRegex('(x)(?:(y)|(z))').exec('xz')).toEqual(['xz', 'x', undefined, 'z']);
  });

  it('rejects invalid patterns with an offset', () => {
    for (const bad of ['(a', 'a)', '[a', '*a', 'a{3,1}', '\\', '\\q', '[z-a]', '(?<=', '(?P=n)']) {
      expect(() => compileByteRegex(bad), bad).toThrow(PcreSyntaxError);
    }
  });
});

describe('CRS 4.28.0 patterns', () => {
  const patterns = crsRxPatterns(crsRules);
  const samples = readJson<string[]>('sample-values.json');

  it('compiles all 318 @rx patterns, every one onto the linear-time DFA', () => {
    expect(patterns.length).toBe(318);
    const notLinear = patterns.filter(({ pattern }) => compileByteRegex(pattern).engine !== 'dfa');
    expect(notLinear.map(({ id }) => id)).toEqual([]);
  });

  it('gives the same answers and captures on the DFA path as on plain irregexp for sample values', () => {
    const disagreements: string[] = [];
    for (const { id, pattern } of patterns) {
      const dfa = compileByteRegex(pattern);
      const backtracking = compileByteRegex(pattern, { backtrackingOnly: true });
      for (const value of samples) {
        if (dfa.test(value) !== backtracking.test(value))
          disagreements.push(`test ${id} ${JSON.stringify(value)}`);
        if (JSON.stringify(dfa.exec(value)) !== JSON.stringify(backtracking.exec(value))) {
          disagreements.push(`exec ${id} ${JSON.stringify(value)}`);
        }
      }
    }
    expect(disagreements).toEqual([]);
  });
});

describe('catastrophic backtracking defence', () => {
  it('runs an exponential pattern on 64 KB in linear time', () => {
    const regex = compileByteRegex('^(a+)+$');
    const started = performance.now();
    expect(regex.test('a'.repeat(65536) + 'b')).toBe(false);
    expect(performance.now() - started).toBeLessThan(2000);
  });

  it('runs the CRS patterns that go cubic in V8 (921160, 932380) on 64 KB of newlines', () => {
    const byId = new Map(crsRxPatterns(crsRules).map(({ id, pattern }) => [id, pattern]));
    const newlines = '\n'.repeat(65536);
    for (const id of ['921160', '932380']) {
      const regex = compileByteRegex(byId.get(id)!);
      const started = performance.now();
      regex.test(newlines);
      expect(performance.now() - started, id).toBeLessThan(2000);
    }
  });

  it('extracts captures after 64 KB of newlines without retrying every start (932236, capture)', () => {
    const pattern = crsRxPatterns(crsRules).find(({ id }) => id === '932236')!.pattern;
    const regex = compileByteRegex(pattern);
    const started = performance.now();
    const groups = regex.exec('\n'.repeat(65536) + ';cat /etc/passwd');
    expect(performance.now() - started).toBeLessThan(2000);
    expect(groups?.[0]).toContain('cat');
  });
});
