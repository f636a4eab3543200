/**
 * Loader tests over real files in fixtures/: Include globs (sorted, relative to the including
 * file), cycle detection, errors located in the included file, and engine settings.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { WafLoadError } from './errors.js';
import { loadRuleFiles } from './loader.js';
import type { RuleSpec } from '../types.js';

const fixtures = path.join(path.dirname(fileURLToPath(import.meta.url)), 'fixtures');
const includes = path.join(fixtures, 'include');

const ids = (rules: RuleSpec[]): string[] =>
  rules.map((rule) => rule.actions.find((action) => action.name === 'id')?.param ?? '');

function loadError(entries: string[]): WafLoadError {
  try {
    loadRuleFiles(entries);
  } catch (error) {
    if (error instanceof WafLoadError) return error;
    throw error;
  }
  throw new Error('the rules loaded without an error');
}

describe('rule-file loader', () => {
  it('expands Include globs in place, sorted, relative to the including file', () => {
    const ruleSet = loadRuleFiles([path.join(includes, 'main.conf')]);
    expect(ids(ruleSet.rules)).toEqual(['100', '110', '111', '112', '120', '199']);
    expect(ruleSet.files).toEqual([
      path.join(includes, 'main.conf'),
      path.join(includes, 'rules/10-first.conf'),
      path.join(includes, 'rules/sub/nested.conf'),
      path.join(includes, 'rules/20-second.conf'),
    ]);
    expect(ruleSet.rules[2]?.location).toEqual({
      file: path.join(includes, 'rules/sub/nested.conf'),
      line: 2,
    });
    expect(ruleSet.settings.ruleEngine).toBe('DetectionOnly');
  });

  it('accepts globs as entry paths', () => {
    const ruleSet = loadRuleFiles([path.join(includes, 'rules/*.conf')]);
    expect(ids(ruleSet.rules)).toEqual(['110', '111', '112', '120']);
  });

  it('stops an Include cycle at the Include that closes it', () => {
    const error = loadError([path.join(includes, 'cycle/a.conf')]);
    expect(error.reason).toMatch(/^Include cycle: .*a\.conf -> .*b\.conf -> .*a\.conf$/);
    expect([error.file, error.line]).toEqual([path.join(includes, 'cycle/b.conf'), 3]);
  });

  it('locates an error in the file that holds it, after an Include', () => {
    const error = loadError([path.join(includes, 'broken.conf')]);
    expect([error.file, error.line, error.reason]).toEqual([
      path.join(includes, 'broken.conf'),
      3,
      'unknown action "nosuchaction"',
    ]);
  });

  it('fails when an entry path matches no file', () => {
    const error = loadError([path.join(includes, 'nothing-here/*.conf')]);
    expect(error.reason).toContain('no rule file matches');
  });

  it('folds the engine settings, last one wins and MIME types accumulate', () => {
    const ruleSet = loadRuleFiles([path.join(fixtures, 'settings.conf')]);
    expect(ruleSet.settings).toEqual({
      ruleEngine: 'DetectionOnly',
      requestBodyAccess: true,
      responseBodyAccess: false,
      requestBodyLimitBytes: 13107200,
      requestBodyNoFilesLimitBytes: 131072,
      requestBodyLimitAction: 'Reject',
      requestBodyJsonDepthLimit: 512,
      argumentsLimit: 1000,
      responseBodyMimeTypes: ['text/plain', 'text/html', 'text/xml'],
      responseBodyLimitBytes: 524288,
      responseBodyLimitAction: 'ProcessPartial',
      collectionTimeoutSec: 600,
      componentSignatures: ['ensuresec/test'],
    });
    expect(ruleSet.items.filter((item) => item.kind === 'setting')).toHaveLength(15);
  });
});
