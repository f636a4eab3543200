// Tests of the @detectSQLi / @detectXSS operator definitions (capture, parameters, bad input).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { OperatorContext } from '../types.js';
import { detectSQLi, detectXSS } from './operators.js';

interface Case {
  operator: 'detectSQLi' | 'detectXSS';
  input: string;
  matches: boolean;
  tx0: string | null;
}

const cases = JSON.parse(
  readFileSync(join(import.meta.dirname, 'fixtures/operator-cases.json'), 'utf8'),
) as Case[];
const definitions = { detectSQLi, detectXSS };
const noFiles = { resolveFile: (): string => '' };

function context(capture: boolean): OperatorContext & { captured: Map<number, string> } {
  const captured = new Map<number, string>();
  return { expand: (t) => t, capture, setCapture: (i, v) => captured.set(i, v), captured };
}

describe('@detectSQLi and @detectXSS operators', () => {
  it.each(cases)('$operator on $input matches=$matches and captures TX:0', (c) => {
    const match = definitions[c.operator].compile('', noFiles);
    const ctx = context(true);
    expect(match(c.input, ctx)).toBe(c.matches);
    expect(ctx.captured.get(0) ?? null).toBe(c.tx0);
  });

  it('captures nothing without the capture action', () => {
    const ctx = context(false);
    expect(detectSQLi.compile('', noFiles)("1' OR '1'='1", ctx)).toBe(true);
    expect(ctx.captured.size).toBe(0);
  });

  it('refuses a parameter at load time', () => {
    expect(() => detectSQLi.compile('foo', noFiles)).toThrow(/takes no parameter/);
    expect(() => detectXSS.compile('bar', noFiles)).toThrow(/takes no parameter/);
  });

  it('never throws on arbitrary bytes', () => {
    const sqli = detectSQLi.compile('', noFiles);
    const xss = detectXSS.compile('', noFiles);
    let seed = 12345;
    const nextByte = (): number => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return seed & 0xff;
    };
    const alphabet = '\'"`<>/*-#@$!=&|()[]{};:,.\\% \x00\t\nabcxqnue019SELECTUNIONscript';
    for (let i = 0; i < 3000; i++) {
      const length = nextByte() % 64;
      let s = '';
      for (let j = 0; j < length; j++) {
        const b = nextByte();
        s += b < 128 ? alphabet[b % alphabet.length] : String.fromCharCode(b);
      }
      expect(typeof sqli(s, context(true))).toBe('boolean');
      expect(typeof xss(s, context(true))).toBe('boolean');
    }
  });
});
