/**
 * `ensuresec incidents report --set/--freeze/--format pdf`, `reports`, `submit`, `communicate`,
 * `deadlines` and `ensuresec nis2 measures` against a real API server on a loopback port.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../../../test/helpers/cli.js';
import { startHarness, type Harness } from '../../../api/testing/harness.js';
import { parsePdf } from '../../../incidents/reports/test-support.js';
import { entityProfileSchema } from '../../../regulation/profile.js';

const here = import.meta.dirname;
const profile = entityProfileSchema.parse(
  JSON.parse(readFileSync(join(here, '../../../regulation/fixtures/profiles/marketplace.json'), 'utf8')),
);

describe('ensuresec incidents reports and nis2 measures', { timeout: 90_000 }, () => {
  let h: Harness;
  let url: string;
  let id: string;
  const out = mkdtempSync(join(tmpdir(), 'ensuresec-cli-reports-'));
  const cli = (token: string, ...args: string[]) =>
    runCli(['--url', url, ...args], { env: { ENSURESEC_TOKEN: token } });

  beforeAll(async () => {
    h = await startHarness({}, { entity: profile });
    url = await h.app.listen({ host: '127.0.0.1', port: 0 });
    const headers = { authorization: `Bearer ${h.tokens.analyst}`, 'content-type': 'application/json' };
    const response = await fetch(`${url}/api/v1/incidents`, {
      method: 'POST',
      headers,
      body: JSON.stringify({
        title: 'Order records exfiltrated',
        severity: 'high',
        awareAt: '2026-03-01T11:00:00Z',
      }),
    });
    id = ((await response.json()) as { id: string }).id;
    await fetch(`${url}/api/v1/incidents/${id}/impact`, {
      method: 'POST',
      headers,
      body: readFileSync(join(here, '../../../incidents/fixtures/formjacking-impact.json'), 'utf8'),
    });
  });
  afterAll(async () => {
    await h.close();
    rmSync(out, { recursive: true, force: true });
  });

  it('edits, freezes and writes a report as PDF, lists it and records its download', async () => {
    const pdfPath = join(out, 'notification.pdf');
    const frozen = await cli(
      h.tokens.analyst,
      'incidents',
      'report',
      id,
      'notification',
      '--set',
      'severity="high"',
      '--reason',
      'after review',
      '--freeze',
      '--format',
      'pdf',
      '--out',
      pdfPath,
    );
    expect(frozen.code, frozen.stderr).toBe(0);
    const parsed = await parsePdf(readFileSync(pdfPath));
    expect(parsed.text.join('\n')).toContain('Incident notification — v1');
    expect(parsed.text.join('\n')).toContain('edited by');

    const listed = await cli(h.tokens.viewer, 'incidents', 'reports', id, '--json');
    expect(listed.code).toBe(0);
    const [report] = JSON.parse(listed.stdout) as { id: string; version: number }[];
    expect(report?.version).toBe(1);

    const submitted = await cli(
      h.tokens.analyst,
      'incidents',
      'submit',
      report?.id ?? '',
      '--channel',
      'download',
      '--at',
      '2026-03-01T11:30:00Z',
      '--json',
    );
    expect(submitted.code, submitted.stderr).toBe(0);
    expect(JSON.parse(submitted.stdout)).toMatchObject({
      channel: 'download',
      submittedAt: '2026-03-01T11:30:00Z',
    });
    const again = await cli(
      h.tokens.analyst,
      'incidents',
      'submit',
      report?.id ?? '',
      '--channel',
      'download',
    );
    expect(again.code).not.toBe(0);
    expect(again.stderr).toContain('report_already_submitted');
  });

  it('drafts the customer communication, lists deadlines and prints the Art. 21 self-assessment', async () => {
    const communication = await cli(h.tokens.viewer, 'incidents', 'communicate', id, '--language', 'de');
    expect(communication.code, communication.stderr).toBe(0);
    expect(communication.stdout).toContain('Directive (EU) 2022/2555 Art. 23(1): yes');
    expect(communication.stdout).toContain('Subject:');

    h.clock.set(Date.parse('2026-03-05T12:00:00Z'));
    const deadlines = await cli(h.tokens.viewer, 'incidents', 'deadlines', '--json');
    expect(deadlines.code).toBe(0);
    expect(JSON.parse(deadlines.stdout)).toContainEqual(
      expect.objectContaining({ incidentId: id, stage: 'gdpr_notification', state: 'overdue' }),
    );

    const measuresPath = join(out, 'measures.md');
    const measures = await cli(h.tokens.viewer, 'nis2', 'measures', '--out', measuresPath);
    expect(measures.code, measures.stderr).toBe(0);
    const markdown = readFileSync(measuresPath, 'utf8');
    expect(markdown).toContain('# NIS2 Art. 21(2) measures: self-assessment of Example Marketplace GmbH');
    expect(markdown.match(/^## \([a-j]\) /gm)).toHaveLength(10);
  });
});
