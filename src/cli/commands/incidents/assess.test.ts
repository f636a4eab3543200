/** `ensuresec incidents assess --file` as a user runs it: no server, a description file and a profile file. */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../../../../test/helpers/cli.js';

const here = import.meta.dirname;
const marketplace = join(here, '../../../regulation/fixtures/profiles/marketplace.json');
const assess = (...args: string[]) => runCli(['incidents', 'assess', ...args]);

describe('ensuresec incidents assess --file', { timeout: 60_000 }, () => {
  it('prints the assessment and the deadlines as JSON', async () => {
    const result = await assess(
      '--file',
      join(here, 'fixtures/exfiltration.json'),
      '--profile',
      marketplace,
      '--aware-at',
      '2026-11-20T08:00:00Z',
      '--json',
    );
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const { assessment, clocks } = JSON.parse(result.stdout) as {
      assessment: {
        significant: string;
        criteria: { id: string; outcome: string }[];
        gdpr: { communicateToDataSubjects: string };
      };
      clocks: { stage: string; dueAt: string | null; dueLocal: string | null }[];
    };
    expect(assessment.significant).toBe('yes');
    expect(assessment.criteria.find((criterion) => criterion.id === 'cir-11-c')?.outcome).toBe('met');
    expect(assessment.gdpr.communicateToDataSubjects).toBe('yes');
    expect(clocks.find((clock) => clock.stage === 'notification')).toMatchObject({
      dueAt: '2026-11-23T08:00:00.000Z',
      dueLocal: '2026-11-23 09:00 GMT+1 (Europe/Berlin)',
    });
  });

  it('is also `ensuresec nis2 assess FILE`, with the same answer', async () => {
    const args = ['--profile', marketplace, '--aware-at', '2026-11-20T08:00:00Z', '--json'];
    const viaNis2 = await runCli(['nis2', 'assess', join(here, 'fixtures/exfiltration.json'), ...args]);
    const viaIncidents = await assess('--file', join(here, 'fixtures/exfiltration.json'), ...args);
    expect(viaNis2.code).toBe(0);
    expect(JSON.parse(viaNis2.stdout)).toMatchObject({ assessment: { significant: 'yes' } });
    expect((JSON.parse(viaNis2.stdout) as { assessment: unknown }).assessment).toEqual(
      (JSON.parse(viaIncidents.stdout) as { assessment: unknown }).assessment,
    );
    const missing = await runCli(['nis2', 'assess', join(here, 'fixtures/no-such.json'), ...args]);
    expect(missing.code).not.toBe(0);
    expect(missing.stderr).toContain('cannot be read as JSON');
  });

  it('explains itself in a table for people', async () => {
    const result = await assess('--file', join(here, 'fixtures/exfiltration.json'), '--profile', marketplace);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('Significant: Regulation (EU) 2024/2690 Art. 11(c)');
    expect(result.stdout).toMatch(/Art\. 3\(1\)\(a\)\s+unknown/);
    expect(result.stdout).toContain('missing inputs: impact.directFinancialLossEur');
  });

  it('names the invalid field of a bad description and exits non-zero', async () => {
    const result = await assess(
      '--file',
      join(here, '../../../regulation/fixtures/profiles/bank.json'),
      '--profile',
      marketplace,
      '--json',
    );
    expect(result.code).not.toBe(0);
    expect(result.stderr).toContain('validation_failed');
    expect(result.stderr).toContain('name');
  });
});
