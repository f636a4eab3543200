/** `ensuresec incidents list|show|assess|report` against a real API server on a loopback port. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../../../test/helpers/cli.js';
import { startHarness, type Harness } from '../../../api/testing/harness.js';
import { ApiClient } from '../../../api/client.js';
import { entityProfileSchema } from '../../../regulation/profile.js';

const here = import.meta.dirname;
const profile = entityProfileSchema.parse(
  JSON.parse(readFileSync(join(here, '../../../regulation/fixtures/profiles/marketplace.json'), 'utf8')),
);

describe('ensuresec incidents against a server', { timeout: 60_000 }, () => {
  let h: Harness;
  let url: string;
  let id: string;
  const cli = (token: string, ...args: string[]) =>
    runCli(['--url', url, ...args], { env: { ENSURESEC_TOKEN: token } });

  beforeAll(async () => {
    h = await startHarness({}, { entity: profile });
    url = await h.app.listen({ host: '127.0.0.1', port: 0 });
    const client = new ApiClient({ baseUrl: url, token: h.tokens.analyst });
    const response = await fetch(`${url}/api/v1/incidents`, {
      method: 'POST',
      headers: { authorization: `Bearer ${h.tokens.analyst}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        title: 'Customer table exfiltrated',
        severity: 'critical',
        awareAt: '2026-03-01T11:00:00Z',
      }),
    });
    id = ((await response.json()) as { id: string }).id;
    await fetch(`${url}/api/v1/incidents/${id}/impact`, {
      method: 'POST',
      headers: { authorization: `Bearer ${h.tokens.analyst}`, 'content-type': 'application/json' },
      body: readFileSync(join(here, '../../../incidents/fixtures/formjacking-impact.json'), 'utf8'),
    });
    expect((await client.incidents.show(id)).significant).toBe('yes');
  });
  afterAll(async () => h.close());

  it('opens a case with `ensuresec incident open` and its awareness starts the clocks', async () => {
    const result = await cli(
      h.tokens.analyst,
      '--json',
      'incident',
      'open',
      '--title',
      'Skimmer on the checkout page',
      '--severity',
      'critical',
      '--aware-at',
      '2026-03-02T09:00:00Z',
    );
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const opened = JSON.parse(result.stdout) as { id: string; title: string; status: string };
    expect(opened).toMatchObject({ title: 'Skimmer on the checkout page', status: 'new' });
    const view = await new ApiClient({ baseUrl: url, token: h.tokens.analyst }).incidents.show(opened.id);
    expect(view.clocks.find((clock) => clock.stage === 'early_warning')?.dueAt).toBe(
      '2026-03-03T09:00:00.000Z',
    );
    const refused = await cli(h.tokens.analyst, 'incidents', 'open', '--title', 'x', '--severity', 'dire');
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toContain('Allowed choices are info, low, medium, high, critical');
  });

  it('lists and shows the case with its significance and clocks', async () => {
    const listed = await cli(h.tokens.viewer, 'incidents', 'list');
    expect(listed.code).toBe(0);
    expect(listed.stdout).toContain(id);
    const shown = await cli(h.tokens.viewer, 'incidents', 'show', id);
    expect(shown.code).toBe(0);
    expect(shown.stdout).toMatch(/significant:\s+yes/);
    expect(shown.stdout).toMatch(/early_warning\s+running\s+2026-03-02 12:00 GMT\+1 \(Europe\/Berlin\)/);
  });

  it('confirms the assessment with a reason and drafts the early warning', async () => {
    const confirmed = await cli(
      h.tokens.analyst,
      'incidents',
      'assess',
      id,
      '--significant',
      'yes',
      '--reason',
      'skimming',
      '--json',
    );
    expect(confirmed.code).toBe(0);
    expect((JSON.parse(confirmed.stdout) as { decision: { reason: string } }).decision.reason).toBe(
      'skimming',
    );
    const report = await cli(h.tokens.viewer, 'incidents', 'report', id, 'early_warning');
    expect(report.code).toBe(0);
    expect(report.stdout).toContain('# Early warning — DRAFT');
    expect(report.stdout).toContain('Suspected of being caused by unlawful or malicious acts');
  });

  it('refuses a change from a viewer with a stable code', async () => {
    const refused = await cli(h.tokens.viewer, 'incidents', 'assess', id);
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toContain('forbidden');
  });
});
