/**
 * Automatic revocation of scan certificates (issue 8): a stored scan with a high or critical
 * finding in a class a valid certificate of the same origin passed revokes it, as does an
 * admin confirming a flaw monitoring found (an incident or alert); another origin, another
 * class, a lesser finding, an older scan, a revoked or an expired certificate change nothing.
 * Real API (Fastify inject), real SQLite store and ledger; scan reports are fixture files.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { newId } from '../../core/ids.js';
import { alertSchema } from '../../core/records/index.js';
import type { LedgerEntry } from '../../ledger/index.js';
import { startHarness, type Harness } from '../../api/testing/harness.js';
import { classResults } from '../classes.js';
import type { ScanReport } from '../scanner.js';
import { sampleReport } from '../testing/sample-report.js';
import type { CheckResult } from '../types.js';
import { generateCertificateKeys, issueCertificate } from './certificate.js';
import type { RegisteredCertificate } from './public-status.js';

const HOUR = 3_600_000;
const fixture = (name: string): Record<string, unknown> =>
  JSON.parse(readFileSync(join(import.meta.dirname, name), 'utf8')) as Record<string, unknown>;
const confirmedXss = () => fixture('fixtures/scan-stored-xss-confirmed.json');
const storedFixture = (name: string) => fixture(`../fixtures/stored/${name}.json`);

/** A report whose xss and security-headers classes pass (every check they need ran, nothing found). */
function certifiedReport(): ScanReport {
  const checks: CheckResult[] = [
    { checkId: 'reflected-xss', kind: 'active', attackClass: 'xss', status: 'tested', tested: 4 },
    { checkId: 'stored-xss', kind: 'active', attackClass: 'xss', status: 'tested', tested: 2 },
    {
      checkId: 'security-headers',
      kind: 'passive',
      attackClass: 'security-headers',
      status: 'tested',
      tested: 3,
    },
    { checkId: 'cookies', kind: 'passive', attackClass: 'security-headers', status: 'tested', tested: 1 },
  ];
  return { ...sampleReport(), findings: [], checks, classes: classResults(checks, []) };
}

let h: Harness;

beforeEach(async () => {
  h = await startHarness();
});
afterEach(async () => h.close());

async function registered(validityDays = 30): Promise<string> {
  const keys = await generateCertificateKeys();
  const jws = await issueCertificate(certifiedReport(), keys.privateJwk, {
    now: new Date(h.clock.nowMs()),
    validityDays,
  });
  const response = await h.call('POST', '/api/v1/certificates', {
    token: h.tokens.admin,
    body: { jws, publicKey: keys.publicJwk },
  });
  expect(response.statusCode).toBe(201);
  const view = response.json() as { id: string; classes: { class: string; result: string }[] };
  expect(view.classes).toEqual(
    expect.arrayContaining([
      { class: 'xss', result: 'pass' },
      { class: 'security-headers', result: 'pass' },
      { class: 'injection', result: 'not-tested' },
    ]),
  );
  return view.id;
}

const storeScan = async (report: unknown) => {
  const response = await h.call('POST', '/api/v1/scans', { token: h.tokens.analyst, body: report });
  expect(response.statusCode).toBe(201);
  return response.json() as { scan: { id: string }; revokedCertificates?: string[] };
};

const publicStatus = async (id: string) =>
  (await h.call('GET', `/api/v1/public/certificates/${id}`)).json() as {
    status: string;
    revocation: { reason: string; revokedAt: string } | null;
  };

const ledgerOf = async (id: string) =>
  (await h.store.ledger.entriesForRecord(id)).map((row) => JSON.parse(row.entry) as LedgerEntry);

describe('automatic revocation from a stored scan', () => {
  it('revokes the certificate when a later scan confirms a flaw in a class it passed', async () => {
    const id = await registered();
    h.clock.advance(HOUR);
    const stored = await storeScan(confirmedXss());
    expect(stored.revokedCertificates).toEqual([id]);

    const status = await publicStatus(id);
    expect(status.status).toBe('revoked');
    expect(status.revocation?.reason).toBe(
      `A later scan confirmed an exploitable xss flaw (scan ${stored.scan.id}).`,
    );
    expect(status.revocation?.revokedAt).toBe(new Date(h.clock.nowMs()).toISOString());
    // The public reason does not say where the (maybe unfixed) flaw is.
    expect(JSON.stringify(status.revocation)).not.toContain('/product/7');
    expect((await h.call('GET', `/api/v1/public/certificates/${id}/page`)).body).toContain('Revoked');
    expect((await h.call('GET', `/api/v1/public/certificates/${id}/badge.svg`)).body).toContain('>revoked<');

    const entries = await ledgerOf(id);
    expect(entries.map((e) => e.kind)).toEqual(['certificate.registered', 'certificate.revoked']);
    expect(entries[1]?.actor).toBe(h.users.analyst.id);
    const kept = await h.store.kv.get<RegisteredCertificate>(`certificate:${id}`);
    expect(kept?.revocation).toMatchObject({
      revokedBy: 'system',
      evidence: `scan ${stored.scan.id}: stored-xss high 8f0c2a61d4b3e5f7a9c1b2d3e4f50617`,
    });
  });

  it('leaves it valid for another origin, another class, a finding below high, or an older scan', async () => {
    const id = await registered();
    h.clock.advance(HOUR);
    // Another origin, same class and severity.
    expect((await storeScan({ ...confirmedXss(), origin: 'http://other.test' })).revokedCertificates).toEqual(
      [],
    );
    // Critical SQL injection (a class the certificate did not pass) and a medium reflected XSS.
    const other = storedFixture('scan-1-active');
    expect(
      (
        await storeScan({
          ...other,
          startedAt: '2026-03-01T12:40:00.000Z',
          finishedAt: '2026-03-01T12:40:30.000Z',
        })
      ).revokedCertificates,
    ).toEqual([]);
    // A scan that finished before the certificate was issued says nothing about what it certified.
    const older = {
      ...confirmedXss(),
      startedAt: '2026-03-01T11:00:00.000Z',
      finishedAt: '2026-03-01T11:00:30.000Z',
    };
    expect((await storeScan(older)).revokedCertificates).toEqual([]);

    expect(await publicStatus(id)).toMatchObject({ status: 'valid', revocation: null });
    expect((await ledgerOf(id)).map((e) => e.kind)).toEqual(['certificate.registered']);

    // The same confirmation for its origin, after it was issued, does revoke it.
    expect((await storeScan(confirmedXss())).revokedCertificates).toEqual([id]);
  });

  it('leaves an already revoked certificate with its first revocation, and an expired one as it is', async () => {
    const revokedId = await registered();
    const expiredId = await registered(1);
    const manual = await h.call('POST', `/api/v1/certificates/${revokedId}/revoke`, {
      token: h.tokens.admin,
      body: { reason: 'the shop asked' },
    });
    expect(manual.statusCode).toBe(200);
    h.clock.advance(25 * HOUR);
    const late = {
      ...confirmedXss(),
      startedAt: new Date(h.clock.nowMs() - 60_000).toISOString(),
      finishedAt: new Date(h.clock.nowMs()).toISOString(),
    };
    expect((await storeScan(late)).revokedCertificates).toEqual([]);

    expect(await publicStatus(revokedId)).toMatchObject({
      status: 'revoked',
      revocation: { reason: 'the shop asked' },
    });
    expect(await publicStatus(expiredId)).toMatchObject({ status: 'expired', revocation: null });
    expect((await ledgerOf(revokedId)).map((e) => e.kind)).toEqual([
      'certificate.registered',
      'certificate.revoked',
    ]);
    expect((await ledgerOf(expiredId)).map((e) => e.kind)).toEqual(['certificate.registered']);
  });
});

describe('a flaw confirmed from monitoring (admin)', () => {
  async function alertId(): Promise<string> {
    const alert = alertSchema.parse({
      id: newId('alr', h.clock.nowMs()),
      time: new Date(h.clock.nowMs()).toISOString(),
      ruleId: 'web-attacks',
      title: 'Script injected into product reviews reached customers',
      severity: 'high',
      detector: 'web-attacks',
    });
    await h.store.alerts.insert(alert);
    return alert.id;
  }
  const confirm = (token: string, body: Record<string, unknown>) =>
    h.call('POST', '/api/v1/certificates/confirmed-flaws', { token, body });

  it('revokes the valid certificates of the origin that passed the class, citing the alert', async () => {
    const id = await registered();
    h.clock.advance(HOUR);
    const evidence = await alertId();
    const body = {
      origin: 'http://shop.test',
      attackClass: 'xss',
      evidence,
      reason: 'Monitoring confirmed an exploited XSS.',
    };

    expect((await confirm(h.tokens.analyst, body)).statusCode).toBe(403);
    const unknown = await confirm(h.tokens.admin, { ...body, evidence: newId('inc', h.clock.nowMs()) });
    expect(unknown.statusCode).toBe(404);
    const bad = await confirm(h.tokens.admin, { ...body, attackClass: 'sqli' });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error.code).toBe('validation_failed');

    const otherClass = await confirm(h.tokens.admin, { ...body, attackClass: 'injection' });
    expect(otherClass.json()).toEqual({ revoked: [] });
    const otherOrigin = await confirm(h.tokens.admin, { ...body, origin: 'https://shop.test' });
    expect(otherOrigin.json()).toEqual({ revoked: [] });
    expect((await publicStatus(id)).status).toBe('valid');

    const done = await confirm(h.tokens.admin, body);
    expect(done.statusCode).toBe(200);
    expect((done.json() as { revoked: { id: string }[] }).revoked.map((c) => c.id)).toEqual([id]);
    expect(await publicStatus(id)).toMatchObject({
      status: 'revoked',
      revocation: { reason: 'Monitoring confirmed an exploited XSS.' },
    });
    const entries = await ledgerOf(id);
    expect(entries.map((e) => e.kind)).toEqual(['certificate.registered', 'certificate.revoked']);
    expect(entries[1]?.actor).toBe(h.users.admin.id);
    expect((await h.store.kv.get<RegisteredCertificate>(`certificate:${id}`))?.revocation).toMatchObject({
      revokedBy: 'system',
      evidence: `monitoring ${evidence}, confirmed by ${h.users.admin.id}`,
    });
  });
});
