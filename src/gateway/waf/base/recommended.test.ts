/**
 * ModSecurity's recommended base rules (base/recommended.ts): every rule denies its fixture
 * request (fixtures/requests.json) with its status, well-formed requests pass, and the text
 * loads alongside the real CRS without an id clash.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { createWafEngine } from '../engine/engine.js';
import type { WafRequest } from '../engine/transaction.js';
import { loadRuleFiles, loadRuleText } from '../seclang/loader.js';
import { RECOMMENDED_RULE_IDS, RECOMMENDED_RULES } from './recommended.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const crsDir = process.env.ENSURESEC_CRS_DIR ?? path.resolve(here, '../../../../../shared/crs');

interface FixtureCase {
  name: string;
  expectRule: number | null;
  expectStatus: number | null;
  extraRules?: string;
  request: {
    method: string;
    uri: string;
    headers: Array<[string, string]>;
    body?: string;
    repeatQueryArg?: { name: string; value: string; count: number };
  };
}

const fixture = JSON.parse(readFileSync(path.join(here, 'fixtures', 'requests.json'), 'utf8')) as {
  cases: FixtureCase[];
};

function toRequest(spec: FixtureCase['request']): WafRequest {
  const repeat = spec.repeatQueryArg;
  const query = repeat
    ? '?' + Array.from({ length: repeat.count }, () => `${repeat.name}=${repeat.value}`).join('&')
    : '';
  const headers: Array<[string, string]> = [['Host', 'shop.example'], ...spec.headers];
  if (spec.body !== undefined) headers.push(['Content-Length', String(Buffer.byteLength(spec.body))]);
  return {
    remoteAddr: '198.51.100.7',
    method: spec.method,
    uri: spec.uri + query,
    protocol: 'HTTP/1.1',
    headers,
  };
}

function run(rules: string, spec: FixtureCase['request']) {
  const engine = createWafEngine(loadRuleText(rules, '/virtual/modsecurity-recommended.conf'));
  const tx = engine.newTransaction(toRequest(spec));
  tx.processRequestHeaders();
  tx.processRequestBody(spec.body === undefined ? undefined : Buffer.from(spec.body, 'utf8'));
  return tx.processLogging();
}

describe("ModSecurity's recommended base rules", () => {
  it('defines 200002-200007 except the body-processor rules the engine does itself', () => {
    const ruleSet = loadRuleText(RECOMMENDED_RULES, '/virtual/modsecurity-recommended.conf');
    const ids = ruleSet.rules.map((rule) =>
      Number(rule.actions.find((action) => action.name === 'id')?.param),
    );
    expect(ids).toEqual([...RECOMMENDED_RULE_IDS]);
  });

  for (const testCase of fixture.cases) {
    it(`${testCase.expectRule === null ? 'passes' : `${testCase.expectRule} denies`} ${testCase.name}`, () => {
      const result = run(RECOMMENDED_RULES + (testCase.extraRules ?? ''), testCase.request);
      const fired = result.matchedRules.map((match) => match.id);
      if (testCase.expectRule === null) {
        expect(fired.filter((id) => id >= 200000 && id <= 200007)).toEqual([]);
        expect(result.interruption).toBeNull();
      } else {
        expect(fired).toContain(testCase.expectRule);
        expect(result.interruption?.ruleId).toBe(testCase.expectRule);
        expect(result.interruption?.status).toBe(testCase.expectStatus);
      }
    });
  }

  it('shares no rule id with the CRS', () => {
    const crs = loadRuleFiles([
      path.join(crsDir, 'crs-setup.conf.example'),
      path.join(crsDir, 'rules', '*.conf'),
    ]);
    const crsIds = new Set(
      crs.rules.map((rule) => rule.actions.find((action) => action.name === 'id')?.param),
    );
    for (const id of RECOMMENDED_RULE_IDS) expect(crsIds.has(String(id))).toBe(false);
  });
});
