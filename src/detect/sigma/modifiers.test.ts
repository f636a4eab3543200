/**
 * Value modifiers and wildcards (detect/sigma), as a table of records in
 * fixtures/modifiers.json run through one loop: a field test compiled from
 * `modifiers` + `values` is applied to a field holding `value` (and `other`, for fieldref).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { EventView, NeedleRegistry } from './event-view.js';
import type { FieldValue } from './field-map.js';
import { compileFieldTest, ModifierError } from './modifiers.js';
import type { SigmaScalar } from './modifiers.js';
import type { SecurityEvent } from '../../core/records/security-event.js';

interface MatchCase {
  why: string;
  modifiers: string;
  values: SigmaScalar[];
  value: FieldValue;
  other?: FieldValue;
  expected: boolean;
}

interface ErrorCase {
  why: string;
  modifiers: string;
  values: SigmaScalar[];
  error: string;
}

const table = JSON.parse(readFileSync(join(import.meta.dirname, 'fixtures/modifiers.json'), 'utf8')) as {
  matches: MatchCase[];
  errors: ErrorCase[];
};

const modifiersOf = (text: string): string[] => (text === '' ? [] : text.split('|'));

describe('sigma value modifiers', () => {
  for (const testCase of table.matches) {
    it(`${testCase.why}: |${testCase.modifiers} ${JSON.stringify(testCase.values)} on ${JSON.stringify(testCase.value)} -> ${testCase.expected}`, () => {
      const test = compileFieldTest('field', modifiersOf(testCase.modifiers), testCase.values);
      const slots: Record<string, number> = { field: 0, other: 1 };
      const needles = new NeedleRegistry();
      const matcher = test.bind(0, (name) => slots[name]!, needles).match;
      const view = new EventView([() => testCase.value, () => testCase.other], needles);
      view.reset({} as SecurityEvent);
      expect(matcher(view)).toBe(testCase.expected);
      // a second event through the same view gives the same answer (the caches reset)
      view.reset({} as SecurityEvent);
      expect(matcher(view)).toBe(testCase.expected);
    });
  }

  for (const testCase of table.errors) {
    it(`refuses ${testCase.why}: |${testCase.modifiers} ${JSON.stringify(testCase.values)}`, () => {
      const compile = () => compileFieldTest('field', modifiersOf(testCase.modifiers), testCase.values);
      expect(compile).toThrow(ModifierError);
      expect(compile).toThrow(testCase.error);
    });
  }

  it('answers in linear time on input that makes backtracking engines explode', () => {
    const test = compileFieldTest('field', ['re'], ['(a|aa)+$']);
    const value = `${'a'.repeat(100_000)}b`;
    const needles = new NeedleRegistry();
    const matcher = test.bind(0, () => 0, needles).match;
    const view = new EventView([() => value], needles);
    view.reset({} as SecurityEvent);
    const started = performance.now();
    expect(matcher(view)).toBe(false);
    expect(performance.now() - started).toBeLessThan(1_000);
  });
});
