/**
 * Virtual patches into a running gateway: an active scan through the gateway (real runtime,
 * real demo shop in vulnerable mode, WAF on two worker threads with no CRS rules so only the
 * patch can block) finds the SQL injection and the reflected XSS; an admin accepts the proposed
 * file through the API; the same exploit requests are then answered 403 by the running gateway
 * while a benign search passes, and the change is in the ledger. Also: a second proposal with
 * clashing ids is renumbered, anything but a scanner-shaped rule is refused, and removing a
 * patch lets the request through again.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiClient } from '../api/client.js';
import { EnsuresecError } from '../core/errors.js';
import type { LedgerEntry } from '../ledger/index.js';
import { startTestShop, type TestShop } from '../demo/shop/test-kit.js';
import { runScan } from '../scan/scanner.js';
import type { ScanFinding } from '../scan/types.js';
import { proposeVirtualPatches } from '../scan/virtual-patches.js';
import { startTestRuntime, type TestRuntime } from '../../test/helpers/runtime.js';
import { parseVirtualPatches } from './virtual-patches.js';

const CRS = join(import.meta.dirname, 'fixtures', 'crs-without-rules');

/**
 * An exploit of the flaw the scan found, in the parameter it names: for SQL injection the
 * boolean-based payload the scan confirmed (its error probe is a lone quote, no attack); for XSS
 * a payload that runs script (the scan's probe is an inert made-up tag).
 */
function exploitOf(f: ScanFinding): string {
  const payloads = f.data?.['payloads'];
  const payload =
    f.checkId === 'sql-injection' && Array.isArray(payloads)
      ? String(payloads.at(-1))
      : '<img src=x onerror=alert(document.domain)>';
  const url = new URL(f.url);
  url.searchParams.set(f.parameter ?? 'q', payload);
  return url.pathname + url.search;
}

async function statusOf(base: string | null, target: string): Promise<number> {
  const response = await request(`${base}${target}`, { headers: { 'user-agent': 'Mozilla/5.0 test' } });
  await response.body.dump();
  return response.statusCode;
}

describe('virtual patches accepted into a running gateway', { timeout: 120_000 }, () => {
  let shop: TestShop;
  let env: TestRuntime;
  let findings: ScanFinding[];
  let proposal: string;

  beforeAll(async () => {
    shop = await startTestShop({ vulnerable: true, deliveryStepMs: 0 });
    env = await startTestRuntime(shop.url, `waf:\n  crs: ${CRS}\n  workers: 2\n`);
    const report = await runScan({
      target: `${env.runtime.gatewayUrl}/`,
      active: true,
      checks: ['sql-injection', 'reflected-xss'],
      maxRequests: 300,
      ratePerSecond: 0,
      concurrency: 4,
      maxPages: 30,
    });
    findings = report.findings;
    proposal = proposeVirtualPatches(findings, { origin: env.runtime.gatewayUrl ?? '' }).text;
  });
  afterAll(async () => {
    await env?.close();
    await shop?.stop();
  });

  const finding = (checkId: string): ScanFinding => {
    const found = findings.find((f) => f.checkId === checkId && new URL(f.url).pathname === '/search');
    if (!found)
      throw new Error(`the scan found no ${checkId} on /search: ${findings.map((f) => f.checkId).join()}`);
    return found;
  };

  it('blocks the exploits once the proposal is accepted, lets a benign search pass, and logs the admin action', async () => {
    const sqli = exploitOf(finding('sql-injection'));
    const xss = exploitOf(finding('reflected-xss'));
    const gateway = env.runtime.gatewayUrl;
    // Before: the shop answers them (the SQL error page is its 500).
    expect(await statusOf(gateway, sqli)).not.toBe(403);
    expect(await statusOf(gateway, xss)).toBe(200);

    const outcome = await env.client.waf.acceptPatches(proposal);
    expect(outcome.accepted.map((p) => p.checkId).sort()).toEqual(['reflected-xss', 'sql-injection']);

    expect(await statusOf(gateway, sqli)).toBe(403);
    expect(await statusOf(gateway, xss)).toBe(403);
    expect(await statusOf(gateway, '/search?q=green%20tea')).toBe(200);
    expect(await statusOf(gateway, '/')).toBe(200);

    const rows = await env.runtime.store.ledger.listEntries(0, 10_000);
    const entries = rows
      .map((row) => JSON.parse(row.entry) as LedgerEntry)
      .filter((entry) => entry.kind === 'waf.virtual_patches_changed');
    expect(entries).toHaveLength(1);
    expect(entries[0]?.record).toMatchObject({
      action: 'accepted',
      patches: expect.arrayContaining([expect.objectContaining({ checkId: 'sql-injection' })]),
    });
    const file = readFileSync(join(env.dataDir, 'waf', 'virtual-patches.conf'), 'utf8');
    expect(file).toContain("tag:'ensuresec/virtual-patch'");
  });

  it('renumbers a second proposal whose ids clash, keeps both enforced, and lists them', async () => {
    const first = parseVirtualPatches(proposal)[0];
    if (!first) throw new Error('no patch in the proposal');
    // Another finding (another fingerprint) with the same rule id and a probe value as operator.
    const other = proposal
      .split('\n')
      .filter((line) => !line.startsWith('#'))
      .join('\n')
      .replaceAll(`ensuresec/fingerprint/`, 'ensuresec/fingerprint/x')
      .replace('@detectSQLi', '@streq probe-other');
    const outcome = await env.client.waf.acceptPatches(other);
    expect(outcome.accepted.every((p) => p.ruleId !== first.ruleId)).toBe(true);
    const listed = await env.client.waf.patches();
    expect(new Set(listed.map((p) => p.ruleId)).size).toBe(listed.length);
    expect(listed.length).toBeGreaterThanOrEqual(3);
    expect(await statusOf(env.runtime.gatewayUrl, '/search?q=probe-other')).toBe(403);
    expect(await statusOf(env.runtime.gatewayUrl, exploitOf(finding('sql-injection')))).toBe(403);
  });

  it('refuses anything but scanner-shaped patches, and keeps the running set', async () => {
    const before = await env.client.waf.patches();
    for (const text of readFileSync(
      join(import.meta.dirname, 'fixtures', 'virtual-patches-refused.conf'),
      'utf8',
    ).split('\n---\n')) {
      const error = await env.client.waf.acceptPatches(text).catch((e: unknown) => e);
      expect(error, text).toBeInstanceOf(EnsuresecError);
      expect((error as EnsuresecError).code, text).toBe('virtual_patch_invalid');
    }
    expect(await env.client.waf.patches()).toEqual(before);
    expect(await statusOf(env.runtime.gatewayUrl, exploitOf(finding('sql-injection')))).toBe(403);
  });

  it('lets only an admin accept or remove a patch', async () => {
    const viewer = await env.client.users.add({
      name: 'viewer-vp',
      role: 'viewer',
      password: 'viewer-password-1234',
    });
    expect(viewer.user.role).toBe('viewer');
    const token = await env.client.tokens.create({ name: 'viewer', userId: viewer.user.id });
    const asViewer = new ApiClient({ baseUrl: env.runtime.apiUrl, token: token.token });
    expect((await asViewer.waf.patches()).length).toBeGreaterThan(0);
    const refused = await asViewer.waf.acceptPatches(proposal).catch((e: unknown) => e);
    expect((refused as EnsuresecError).code).toBe('forbidden');
  });

  it('lets the request through again once the patch is removed', async () => {
    const sqli = finding('sql-injection');
    const patch = (await env.client.waf.patches()).find((p) => p.fingerprint === sqli.fingerprint);
    if (!patch) throw new Error('the SQL injection patch is not listed');
    await env.client.waf.removePatch(patch.ruleId);
    expect(await statusOf(env.runtime.gatewayUrl, exploitOf(sqli))).not.toBe(403);
    expect(await statusOf(env.runtime.gatewayUrl, exploitOf(finding('reflected-xss')))).toBe(403);
  });
});
