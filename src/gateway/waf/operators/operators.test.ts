/**
 * Operator tables (gateway/waf/operators): every fixtures/<operator>.json record
 * ({param, input, expected, tx?, capture?}) runs through the registry in one loop.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { OperatorContext } from '../types.js';
import { findOperator, OperatorParamError, OPERATORS } from './index.js';
import { toModSecurityInt } from './param.js';

interface OperatorCase {
  param: string;
  input: string;
  expected: boolean;
  /** Variables the macros expand to: `tx.limit` is written `limit`, others by full name. */
  tx?: Record<string, string>;
  /** Expected TX:0 (a string) or TX:0..n (an array, null for a group left unset). */
  capture?: string | Array<string | null>;
}

const fixtures = join(import.meta.dirname, 'fixtures');
const resolveFile = (path: string): string => readFileSync(join(fixtures, path), 'latin1');

function contextFor(testCase: OperatorCase): { context: OperatorContext; captured: Map<number, string> } {
  const captured = new Map<number, string>();
  const variables = testCase.tx ?? {};
  const context: OperatorContext = {
    capture: testCase.capture !== undefined,
    expand: (text) =>
      text.replace(/%\{([^}]+)\}/g, (_, name: string) => {
        const key = name.toLowerCase();
        return variables[key.replace(/^tx\./, '')] ?? variables[key] ?? '';
      }),
    setCapture: (index, value) => captured.set(index, value),
  };
  return { context, captured };
}

const files = readdirSync(fixtures).filter((file) => file.endsWith('.json'));

describe('operators', () => {
  it('has a fixture table for every registered operator but the aliases', () => {
    const tables = files.map((file) => file.replace(/\.json$/, '')).sort();
    const names = Object.keys(OPERATORS).filter(
      (name) => name !== 'pmf' && name !== 'ipMatchF' && name !== 'ipMatchFromFile',
    );
    expect(tables).toEqual(names.sort());
  });

  for (const file of files) {
    const name = file.replace(/\.json$/, '');
    const cases = JSON.parse(readFileSync(join(fixtures, file), 'utf8')) as OperatorCase[];
    describe(`@${name}`, () => {
      cases.forEach((testCase, index) => {
        it(`#${index} ${JSON.stringify(testCase.param)} on ${JSON.stringify(testCase.input)} -> ${testCase.expected}`, () => {
          const definition = findOperator(name);
          expect(definition).toBeDefined();
          const matcher = definition!.compile(testCase.param, { resolveFile });
          const { context, captured } = contextFor(testCase);
          expect(matcher(testCase.input, context)).toBe(testCase.expected);
          if (testCase.capture !== undefined) {
            const expected = Array.isArray(testCase.capture) ? testCase.capture : [testCase.capture];
            expected.forEach((value, group) => expect(captured.get(group)).toBe(value ?? undefined));
          }
        });
      });
    });
  }
});

describe('operator parameters', () => {
  const compile = (name: string, param: string) => () => findOperator(name)!.compile(param, { resolveFile });

  it('rejects what ModSecurity would misread, with the operator named', () => {
    expect(compile('rx', '(unclosed')).toThrow(OperatorParamError);
    expect(compile('rx', 'a{2,1}')).toThrow(/@rx: invalid regular expression/);
    expect(compile('validateByteRange', '1-300')).toThrow(/@validateByteRange/);
    expect(compile('validateByteRange', 'abc')).toThrow(OperatorParamError);
    expect(compile('ipMatch', '10.0.0.0/33')).toThrow(/prefix length/);
    expect(compile('ipMatch', 'not-an-ip')).toThrow(OperatorParamError);
    expect(compile('pm', '|3g|')).toThrow(/hex digit/);
    expect(compile('pmFromFile', 'missing.data')).toThrow(/cannot read data file missing.data/);
  });

  it('answers @ipMatch alike when one matcher sees a value again after others (its last-answer cache)', () => {
    const matcher = findOperator('ipMatch')!.compile('127.0.0.1,10.0.0.0/8', { resolveFile });
    const { context } = contextFor({ param: '', input: '', expected: false });
    const answers = ['10.1.2.3', '10.1.2.3', '192.0.2.1', '192.0.2.1', 'not-ip', '127.0.0.1', '10.1.2.3'].map(
      (value) => matcher(value, context),
    );
    expect(answers).toEqual([true, true, false, false, false, true, true]);
  });

  it('reads numbers as std::stoi does (the regular expression the integer parser replaced)', () => {
    const reference = (text: string): number => {
      const match = /^[\t\n\v\f\r ]*([+-]?\d+)/.exec(text);
      const value = match ? Number(match[1]) : 0;
      return value > 2147483647 || value < -2147483648 ? 0 : value;
    };
    // Seeded, so a failure repeats: blanks, signs, digits and a few other bytes, up to 14 long.
    const alphabet = ' \t\n\u000b\f\r\u00a0+-0123456789aZ.';
    let seed = 7;
    const random = (n: number): number => (seed = (seed * 1103515245 + 12345) % 2147483648) % n;
    for (let i = 0; i < 20_000; i++) {
      let text = '';
      for (let length = random(15); length > 0; length--) text += alphabet[random(alphabet.length)];
      expect(toModSecurityInt(text), JSON.stringify(text)).toBe(reference(text));
    }
    for (const edge of ['2147483647', '2147483648', '-2147483648', '-2147483649', '0000000000002147483647'])
      expect(toModSecurityInt(edge), edge).toBe(reference(edge));
  });

  it('finds operators ignoring case and knows the aliases', () => {
    expect(findOperator('RX')).toBe(OPERATORS.rx);
    expect(findOperator('pmf')).toBe(OPERATORS.pmFromFile);
    expect(findOperator('ipMatchF')).toBe(OPERATORS.ipMatchFromFile);
    expect(findOperator('detectNothing')).toBeUndefined();
  });

  it('loads every data file CRS 4.28 ships into @pmFromFile', () => {
    const crsRules = join(import.meta.dirname, '../../../../../shared/crs/rules');
    const dataFiles = readdirSync(crsRules).filter((file) => file.endsWith('.data'));
    expect(dataFiles.length).toBeGreaterThan(15);
    const read = (path: string): string => readFileSync(join(crsRules, path), 'latin1');
    const matcher = OPERATORS.pmFromFile!.compile(dataFiles.join(' '), { resolveFile: read });
    const { context } = contextFor({ param: '', input: '', expected: true });
    expect(matcher('GET /.git/config', context)).toBe(true);
    expect(matcher('a quiet benign sentence', context)).toBe(false);
  });

  it('never skips a value it would match: every match holds one of the required literals', () => {
    // The engine skips an operator when its required literals are all absent from the value
    // (regex/literal-index.ts), so a literal set that misses a matching case loses detections.
    const fold = (text: string): string => text.replace(/[A-Z]/g, (c) => c.toLowerCase());
    let checked = 0;
    for (const file of files) {
      const name = file.replace(/\.json$/, '');
      const definition = findOperator(name);
      if (!definition?.requiredLiterals) continue;
      for (const testCase of JSON.parse(readFileSync(join(fixtures, file), 'utf8')) as OperatorCase[]) {
        if (testCase.tx !== undefined) continue;
        const literals = definition.requiredLiterals(testCase.param, { resolveFile });
        if (literals === null) continue;
        const { context } = contextFor(testCase);
        if (!definition.compile(testCase.param, { resolveFile })(testCase.input, context)) continue;
        const value = fold(testCase.input);
        expect(
          literals.some((literal) => value.includes(fold(literal))),
          `${name} ${testCase.param}`,
        ).toBe(true);
        checked++;
      }
    }
    expect(checked).toBeGreaterThan(10);
  });

  it('gives @pm and @pmFromFile their phrases as required literals', () => {
    expect(OPERATORS.pm!.requiredLiterals!('gzip Deflate', { resolveFile })).toEqual(['gzip', 'Deflate']);
    const crsRules = join(import.meta.dirname, '../../../../../shared/crs/rules');
    const read = (path: string): string => readFileSync(join(crsRules, path), 'latin1');
    const phrases = OPERATORS.pmFromFile!.requiredLiterals!('unix-shell.data', { resolveFile: read });
    expect(phrases).toContain('${CDPATH}');
  });
});
