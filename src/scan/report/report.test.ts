import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import { describe, expect, it } from 'vitest';
import schema from '../fixtures/sarif-2.1.0-essentials.schema.json' with { type: 'json' };
import { sampleReport } from '../testing/sample-report.js';
import { toHtmlReport } from './html.js';
import { toSarif } from './sarif.js';
import { renderReport } from './write.js';

describe('SARIF 2.1.0 output', () => {
  const ajv = new Ajv2020({ allErrors: true, strict: false });
  addFormats.default(ajv);
  const validate = ajv.compile(schema);

  it('has the required shape of SARIF 2.1.0', () => {
    const sarif = toSarif(sampleReport());
    expect(validate(sarif), JSON.stringify(validate.errors)).toBe(true);
  });

  it('refuses what the essentials forbid (so the schema check can fail)', () => {
    const sarif = toSarif(sampleReport()) as { runs: { results: { level: string; message: object }[] }[] };
    const broken = structuredClone(sarif);
    (broken.runs[0] as { results: { level: string }[] }).results[0]!.level = 'critical';
    expect(validate(broken)).toBe(false);
    expect(validate({ version: '2.1.0', runs: [{ tool: { driver: {} } }] })).toBe(false);
  });

  it('links every result to its rule, carries the fingerprint and the CVSS score as security-severity', () => {
    const report = sampleReport();
    const sarif = toSarif(report) as {
      runs: {
        tool: { driver: { rules: { id: string; properties: Record<string, unknown> }[] } };
        results: { ruleId: string; ruleIndex: number; partialFingerprints: Record<string, string> }[];
      }[];
    };
    const run = sarif.runs[0]!;
    const result = run.results[0]!;
    expect(run.tool.driver.rules[result.ruleIndex]?.id).toBe(result.ruleId);
    expect(result.partialFingerprints['ensuresecFingerprint/v1']).toBe(report.findings[0]?.fingerprint);
    expect(run.tool.driver.rules[0]?.properties['security-severity']).toBe('6.1');
  });
});

describe('HTML report', () => {
  const html = toHtmlReport(sampleReport());

  it('escapes everything that came from the target', () => {
    expect(html).not.toContain('<script>alert');
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(html).not.toContain('<b>no answer</b>');
  });

  it('tells the owner what failed and what was not tested, in words', () => {
    expect(html).toMatch(/<td>xss<\/td><td>Failed<\/td>/);
    expect(html).toMatch(/<td>exposed-data<\/td><td>Not tested<\/td>/);
    expect(html).toContain('How to fix:');
  });
});

describe('JSON report', () => {
  it('is the report with a format marker', () => {
    const parsed = JSON.parse(renderReport(sampleReport(), 'json')) as {
      format: string;
      findings: unknown[];
    };
    expect(parsed.format).toBe('ensuresec-scan-report/v1');
    expect(parsed.findings).toHaveLength(1);
  });
});
