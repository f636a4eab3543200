/**
 * Sigma conditions (detect/sigma): precedence, parentheses, `1 of`/`all of`/`them`, and the
 * errors a bad condition gets, as tables in fixtures/conditions.json run through one loop.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkConditionNames, compileCondition, ConditionError, parseCondition } from './condition.js';
import type { CompiledSelection } from './condition.js';
import type { EventView } from './event-view.js';

const table = JSON.parse(readFileSync(join(import.meta.dirname, 'fixtures/conditions.json'), 'utf8')) as {
  conditions: Array<{
    why: string;
    condition: string;
    selections: Record<string, boolean>;
    expected: boolean;
  }>;
  errors: Array<{ why: string; condition: string; names: string[]; error: string }>;
};

describe('sigma conditions', () => {
  for (const testCase of table.conditions) {
    it(`${testCase.why}: '${testCase.condition}' with ${JSON.stringify(testCase.selections)} -> ${testCase.expected}`, () => {
      const node = parseCondition(testCase.condition);
      const names = Object.keys(testCase.selections);
      checkConditionNames(node, names);
      const selections = new Map<string, CompiledSelection>(
        names.map((name, i) => [name, { cost: i, requires: null, match: () => testCase.selections[name]! }]),
      );
      expect(compileCondition(node, selections).match({} as EventView)).toBe(testCase.expected);
    });
  }

  for (const testCase of table.errors) {
    it(`refuses ${testCase.why}: '${testCase.condition}'`, () => {
      const check = () => checkConditionNames(parseCondition(testCase.condition), testCase.names);
      expect(check).toThrow(ConditionError);
      expect(check).toThrow(testCase.error);
    });
  }
});
