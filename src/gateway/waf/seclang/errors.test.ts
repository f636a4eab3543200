/**
 * Load-error tests: fixtures/error-cases.json is a table of broken SecLang and the line and
 * reason the WafLoadError must carry. Every unsupported name is an error, never ignored.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { WafLoadError } from './errors.js';
import { loadRuleText } from './loader.js';

const fixtures = path.join(path.dirname(fileURLToPath(import.meta.url)), 'fixtures');

interface ErrorCase {
  name: string;
  input: string;
  line: number;
  reason: string;
}

const errorCases = JSON.parse(readFileSync(path.join(fixtures, 'error-cases.json'), 'utf8')) as ErrorCase[];

function loadError(input: string): WafLoadError {
  try {
    loadRuleText(input, path.join(fixtures, 'inline.conf'));
  } catch (error) {
    if (error instanceof WafLoadError) return error;
    throw error;
  }
  throw new Error('the rules loaded without an error');
}

describe('SecLang load errors', () => {
  it.each(errorCases.map((testCase) => [testCase.name, testCase] as const))(
    'rejects %s with file:line',
    (_name, testCase) => {
      const error = loadError(testCase.input);
      expect(error.file).toBe(path.join(fixtures, 'inline.conf'));
      expect(error.line).toBe(testCase.line);
      expect(error.reason).toContain(testCase.reason);
      expect(error.code).toBe('config_invalid');
      expect(error.message).toContain(`inline.conf:${testCase.line}: `);
    },
  );
});

describe('SecLang bad input', () => {
  it('caps the length of a chain', () => {
    const links = Array.from({ length: 70 }, () => 'SecRule ARGS "@rx b" "chain"');
    const error = loadError(
      ['SecRule ARGS "@rx a" "id:1,phase:2,deny,chain"', ...links, 'SecRule ARGS "@rx c"'].join('\n'),
    );
    expect([error.line, error.reason]).toEqual([66, 'a chain may hold at most 64 chained rules']);
  });

  it('throws nothing but WafLoadError on thousands of mutated rule files', () => {
    const seeds = [readFileSync(path.join(fixtures, 'continuation.conf'), 'latin1'), ...parseCases()];
    const alphabet = [
      '"',
      "'",
      '\\',
      '|',
      ':',
      ',',
      '!',
      '&',
      '@',
      '%{',
      '}',
      '/',
      ' ',
      '\n',
      '\r',
      '\t',
      '#',
      'chain',
      '\u0000',
      '\u00ff',
      '=',
      ';',
    ];
    let seed = 42;
    const random = (limit: number): number => {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      return seed % limit;
    };
    let loaded = 0;
    for (let round = 0; round < 3000; round++) {
      let text = seeds[random(seeds.length)] ?? '';
      for (let edit = 1 + random(4); edit > 0; edit--) {
        const at = random(text.length + 1);
        const insert = random(3) === 0 ? '' : (alphabet[random(alphabet.length)] ?? '');
        text = text.slice(0, at) + insert + text.slice(at + random(3));
      }
      try {
        loadRuleText(text, path.join(fixtures, 'fuzz.conf'));
        loaded++;
      } catch (error) {
        if (!(error instanceof WafLoadError))
          throw new Error(`${String(error)} on input ${JSON.stringify(text)}`);
      }
    }
    // Some mutations stay valid SecLang; if none did, the mutator would test nothing but the lexer.
    expect(loaded).toBeGreaterThan(50);
  });
});

function parseCases(): string[] {
  const cases = JSON.parse(readFileSync(path.join(fixtures, 'parse-cases.json'), 'utf8')) as Array<{
    input: string;
  }>;
  return cases.map((testCase) => testCase.input).filter((input) => !input.includes('Include'));
}
