/**
 * Loads the real OWASP CRS 4.28.0 (../shared/crs beside the repository, or ENSURESEC_CRS_DIR):
 * every file must load with no error, the rule counts must be CRS's, and the operators and
 * transformations it uses must be exactly the lists the engine is told to implement.
 */
import { readFileSync, realpathSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadRuleFiles } from './loader.js';
import { CRS_OPERATORS, CRS_TRANSFORMATIONS } from './vocabulary.js';
import type { LoadedRuleSet } from './model.js';
import type { RuleSpec } from '../types.js';

const repositoryRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../..');
const crsDir = process.env.ENSURESEC_CRS_DIR ?? path.resolve(repositoryRoot, '../shared/crs');
const rulesDir = path.join(crsDir, 'rules');

const hasId = (rule: RuleSpec): boolean => rule.actions.some((action) => action.name === 'id');
function chainLength(rule: RuleSpec): number {
  return rule.chained ? 1 + chainLength(rule.chained) : 1;
}

describe('OWASP CRS 4.28.0', () => {
  let ruleSet: LoadedRuleSet;
  let crsRules: RuleSpec[];

  beforeAll(() => {
    expect(readFileSync(path.join(crsDir, 'VERSION'), 'utf8')).toMatch(/^v4\.28\.0\b/);
    ruleSet = loadRuleFiles([path.join(crsDir, 'crs-setup.conf.example'), path.join(rulesDir, '*.conf')]);
    // The loader records real paths (a CRS folder may be reached through a symbolic link).
    const realRulesDir = realpathSync(rulesDir);
    crsRules = ruleSet.rules.filter((rule) => path.dirname(rule.location.file) === realRulesDir);
  });

  it('loads crs-setup.conf.example and all 27 rule files with no load error', () => {
    expect(ruleSet.files).toHaveLength(28);
    expect(ruleSet.settings.componentSignatures).toEqual(['OWASP_CRS/4.28.0']);
  });

  it('counts 629 rules with an id in rules/*.conf, plus 900990 from the setup file', () => {
    expect(crsRules.filter(hasId)).toHaveLength(629);
    expect(ruleSet.rules.filter(hasId)).toHaveLength(630);
    expect(ruleSet.rules.filter((rule) => rule.kind === 'marker')).toHaveLength(30);
  });

  it('counts 702 SecRule/SecAction directives in rules/*.conf: 629 chain starters and 73 chained rules', () => {
    const starters = crsRules.filter((rule) => rule.kind !== 'marker');
    const directives = starters.reduce((sum, rule) => sum + chainLength(rule), 0);
    expect(starters.filter((rule) => rule.chained)).toHaveLength(55);
    expect(directives - starters.length).toBe(73);
    expect(directives).toBe(702);
  });

  it('keeps the setup defaults and the exclusions of REQUEST-999', () => {
    const kinds = ruleSet.items.map((item) => item.kind);
    expect(kinds.filter((kind) => kind === 'defaultAction')).toHaveLength(5);
    expect(kinds.filter((kind) => kind === 'updateTargetById')).toHaveLength(55);
  });

  it('uses exactly the operators and transformations listed for the engine', () => {
    expect(ruleSet.operatorsUsed).toEqual([...CRS_OPERATORS].sort());
    expect(ruleSet.transformationsUsed).toEqual([...CRS_TRANSFORMATIONS].sort());
    expect(ruleSet.operatorsUsed).toHaveLength(19);
    expect(ruleSet.transformationsUsed).toHaveLength(20);
  });
});
