import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parseExpression } from './expression.js';
import { BUILTIN_PLAYBOOKS_DIR, formatPlaybookProblem, loadPlaybookFile, loadPlaybooks } from './load.js';
import { VARIABLE_ROOTS } from './schema.js';

const FIXTURES = fileURLToPath(new URL('./fixtures/', import.meta.url));
const expressions = JSON.parse(readFileSync(`${FIXTURES}expressions.json`, 'utf8')) as {
  variables: Record<string, unknown>;
  cases: { expression: string; expected: boolean }[];
  errors: { expression: string; message: string }[];
};

describe('playbook conditions', () => {
  for (const { expression, expected } of expressions.cases) {
    it(`evaluates ${expression} to ${expected}`, () => {
      const parsed = parseExpression(expression, VARIABLE_ROOTS);
      if (!parsed.ok) throw new Error(parsed.error);
      expect(parsed.expression.evaluate(expressions.variables)).toBe(expected);
    });
  }
  for (const { expression, message } of expressions.errors) {
    it(`refuses ${JSON.stringify(expression)} (${message})`, () => {
      const parsed = parseExpression(expression, VARIABLE_ROOTS);
      expect(parsed.ok).toBe(false);
      if (!parsed.ok) expect(parsed.error).toContain(message);
    });
  }
});

describe('loading playbooks', () => {
  it('loads the good files of a folder and refuses each broken one with file:line', () => {
    const { playbooks, problems } = loadPlaybooks({ builtins: false, dirs: [`${FIXTURES}broken`] });
    expect(playbooks.map((entry) => entry.playbook.name)).toEqual(['good']);
    const lines = problems.map((problem) => formatPlaybookProblem(problem).replace(`${FIXTURES}broken/`, ''));
    expect(lines).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^bad-values\.yaml:4: trigger\.condition: the condition ends too early/),
        expect.stringMatching(/^bad-values\.yaml:9: steps\.0\.duration: "forever" is not a duration/),
        expect.stringMatching(/^bad-values\.yaml:11: steps\.1\.kind: /),
        expect.stringMatching(/^bad-values\.yaml:15: steps\.2\.colour: unknown key/),
        expect.stringMatching(/^bad-yaml\.yaml:[3-5]: \(top level\): /),
        expect.stringMatching(/^unknown-variable\.yaml:8: steps\.0\.value: unknown variable "secrets"/),
        expect.stringMatching(
          /^good\.yaml:1: name: playbook "good" is already loaded from .*good-again\.yaml/,
        ),
      ]),
    );
    // good-again.yaml sorts first, so it is the one loaded under the name "good".
    expect(playbooks[0]?.source).toMatch(/good-again\.yaml$/);
  });

  it('ships built-in playbooks that all validate', () => {
    const { playbooks, problems } = loadPlaybooks({ builtins: true, dirs: [] });
    expect(problems).toEqual([]);
    expect(playbooks.map((entry) => entry.playbook.name)).toEqual(
      expect.arrayContaining(['credential-stuffing', 'card-testing', 'scraping', 'web-attacks']),
    );
    expect(playbooks.every((entry) => entry.builtin && entry.source.startsWith('builtin:'))).toBe(true);
    expect(BUILTIN_PLAYBOOKS_DIR).toMatch(/builtin\/?$/);
  });

  it('says when a file cannot be read', () => {
    const parsed = loadPlaybookFile(`${FIXTURES}no-such-file.yaml`);
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) expect(parsed.problems[0]?.message).toMatch(/cannot be read/);
  });
});
