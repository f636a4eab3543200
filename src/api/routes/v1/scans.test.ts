/**
 * Stored scan routes over real HTTP (SQLite harness, typed client): an analyst uploads two scan
 * reports of one shop (fixture files), the second dedupes against the first and marks a finding
 * fixed; readers list scans and findings; a viewer may not upload; a malformed report is refused.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EnsuresecError } from '../../../core/errors.js';
import { ApiClient } from '../../client.js';
import { startHarness, type Harness } from '../../testing/harness.js';

const report = (name: string): unknown =>
  JSON.parse(
    readFileSync(join(import.meta.dirname, '../../../scan/fixtures/stored', `${name}.json`), 'utf8'),
  );

async function codeOf(promise: Promise<unknown>): Promise<string | undefined> {
  return promise.then(
    () => undefined,
    (error: unknown) => (error instanceof EnsuresecError ? error.code : String(error)),
  );
}

describe('stored scan routes', { timeout: 30_000 }, () => {
  let h: Harness;
  let analyst: ApiClient;
  let viewer: ApiClient;

  beforeAll(async () => {
    h = await startHarness();
    const base = await h.app.listen({ host: '127.0.0.1', port: 0 });
    analyst = new ApiClient({ baseUrl: base, token: h.tokens.analyst });
    viewer = new ApiClient({ baseUrl: base, token: h.tokens.viewer });
  });
  afterAll(async () => h.close());

  it('stores reports, dedupes findings across them and lists both', async () => {
    const first = await analyst.scans.store(report('scan-1-active'));
    expect(first.scan.changes).toEqual({ new: 3, seenAgain: 0, reopened: 0, fixed: 0 });
    const second = await analyst.scans.store(report('scan-3-active-sqli-fixed'));
    expect(second.scan.changes).toEqual({ new: 0, seenAgain: 2, reopened: 0, fixed: 1 });

    const scans = await viewer.scans.list({ target: 'http://shop.test' });
    expect(scans.items.map((s) => s.id)).toEqual([second.scan.id, first.scan.id]);
    expect(await viewer.scans.get(first.scan.id)).toEqual(first.scan);
    const fixed = await viewer.findings.list({ target: 'http://shop.test', status: 'fixed' });
    expect(fixed.items.map((f) => f.checkId)).toEqual(['sql-injection']);
    const open = await viewer.findings.list({ target: 'http://shop.test', status: 'open' });
    expect(open.items.map((f) => [f.checkId, f.seenCount]).sort()).toEqual([
      ['reflected-xss', 2],
      ['security-headers', 2],
    ]);
  });

  it('accepts a risk by hand, keeps it accepted through later scans, and logs who did it', async () => {
    const open = await viewer.findings.list({ target: 'http://shop.test', status: 'open' });
    const csp = open.items.find((f) => f.checkId === 'security-headers')!;
    expect(await codeOf(viewer.findings.setStatus(csp.id, 'accepted', 'legacy page'))).toBe('forbidden');
    const accepted = await analyst.findings.setStatus(
      csp.id,
      'accepted',
      'CSP comes with the new theme in Q3',
    );
    expect(accepted).toMatchObject({
      status: 'accepted',
      statusReason: 'CSP comes with the new theme in Q3',
    });
    const again = await analyst.scans.store(report('scan-1-active'));
    expect(again.findings.find((f) => f.id === csp.id)).toMatchObject({ status: 'accepted', seenCount: 3 });
    expect(await viewer.findings.get(csp.id)).toMatchObject({ status: 'accepted' });
    const kinds = (await h.store.ledger.entriesForRecord(csp.id)).map((row) => row.kind);
    expect(kinds).toEqual(['finding.created', 'finding.updated', 'finding.updated', 'finding.updated']);
    expect(await codeOf(analyst.findings.setStatus(csp.id, 'fixed' as 'open', 'x'))).toBe(
      'validation_failed',
    );
  });

  it('lets only security writers upload, and refuses what is not a scan report', async () => {
    expect(await codeOf(viewer.scans.store(report('scan-1-active')))).toBe('forbidden');
    expect(await codeOf(analyst.scans.store({ format: 'something-else' }))).toBe('validation_failed');
    const tampered = report('scan-1-active') as { findings: Array<{ fingerprint: string }> };
    tampered.findings[0]!.fingerprint = 'not-a-fingerprint';
    expect(await codeOf(analyst.scans.store(tampered))).toBe('validation_failed');
    expect(await codeOf(viewer.scans.get('scn_01JD3Q7Z9X8K2M4N6P8R0T2V4W'))).toBe('not_found');
  });
});
