/**
 * Scan certificates published for verification: an admin registers one (its signature is
 * checked) and revokes it, both in the ledger; anyone reads its status, page, badge and the
 * issuer keys without an account, within a per-address rate limit; `cert verify --server`
 * refuses it once revoked. Real API (Fastify inject, and a real listener for the CLI check),
 * real SQLite store and ledger.
 */
import type { AddressInfo } from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { checkRevocation } from '../../../cli/commands/cert/verify.js';
import { EnsuresecError } from '../../../core/errors.js';
import type { LedgerEntry } from '../../../ledger/index.js';
import { generateCertificateKeys, issueCertificate } from '../../../scan/certificate/certificate.js';
import { sampleReport } from '../../../scan/testing/sample-report.js';
import { startHarness, type Harness } from '../../testing/harness.js';

let h: Harness;
let jws: string;
let publicKey: Record<string, unknown>;
let id: string;

beforeEach(async () => {
  h = await startHarness();
  const keys = await generateCertificateKeys();
  publicKey = keys.publicJwk as Record<string, unknown>;
  jws = await issueCertificate(sampleReport(), keys.privateJwk, { now: new Date(h.clock.nowMs()) });
  id = (JSON.parse(Buffer.from(jws.split('.')[1] ?? '', 'base64url').toString()) as { jti: string }).jti;
});
afterEach(async () => h.close());

const registerAs = (token: string, body: unknown = { jws, publicKey }) =>
  h.call('POST', '/api/v1/certificates', { token, body });

describe('certificate registration and revocation', () => {
  it('publishes a registered certificate: status, page, badge and keys, without an account', async () => {
    const registered = await registerAs(h.tokens.admin);
    expect(registered.statusCode).toBe(201);
    expect(registered.json()).toMatchObject({ id, status: 'valid', jws });

    const status = await h.call('GET', `/api/v1/public/certificates/${id}`);
    expect(status.statusCode).toBe(200);
    expect(status.json()).toMatchObject({ id, status: 'valid', revocation: null, jws });

    const badge = await h.call('GET', `/api/v1/public/certificates/${id}/badge.svg`);
    expect(badge.headers['content-type']).toContain('image/svg+xml');
    expect(badge.body).toContain('passed 2026-03-01');

    const page = await h.call('GET', `/api/v1/public/certificates/${id}/page`);
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('<span class="valid">valid</span>');
    expect(page.body).toContain(sampleReport().origin);

    for (const url of ['/api/v1/public/jwks.json', '/.well-known/ensuresec/jwks.json']) {
      const jwks = await h.call('GET', url);
      expect(jwks.statusCode).toBe(200);
      expect((jwks.json() as { keys: { x: string }[] }).keys.map((k) => k.x)).toEqual([publicKey['x']]);
    }
  });

  it('refuses a certificate whose signature does not verify, and lets only an admin register or revoke', async () => {
    const [head, payload, signature = ''] = jws.split('.');
    const flipped = `${head}.${payload}.${signature.startsWith('A') ? 'B' : 'A'}${signature.slice(1)}`;
    const tampered = await registerAs(h.tokens.admin, { jws: flipped, publicKey });
    expect(tampered.statusCode).toBe(400);
    expect(tampered.json().error.code).toBe('certificate_invalid');
    expect((await h.call('GET', `/api/v1/public/certificates/${id}`)).statusCode).toBe(404);

    expect((await registerAs(h.tokens.analyst)).statusCode).toBe(403);
    expect((await registerAs(h.tokens.admin)).statusCode).toBe(201);
    const byAnalyst = await h.call('POST', `/api/v1/certificates/${id}/revoke`, {
      token: h.tokens.analyst,
      body: { reason: 'x' },
    });
    expect(byAnalyst.statusCode).toBe(403);
  });

  it('revokes with a reason: public status, page and badge say so, and the ledger has both changes', async () => {
    await registerAs(h.tokens.admin);
    const revoked = await h.call('POST', `/api/v1/certificates/${id}/revoke`, {
      token: h.tokens.admin,
      body: { reason: 'monitoring confirmed an SQL injection on /search' },
    });
    expect(revoked.statusCode).toBe(200);
    const status = (await h.call('GET', `/api/v1/public/certificates/${id}`)).json();
    expect(status).toMatchObject({
      status: 'revoked',
      revocation: { reason: 'monitoring confirmed an SQL injection on /search' },
    });
    expect((await h.call('GET', `/api/v1/public/certificates/${id}/badge.svg`)).body).toContain('>revoked<');
    expect((await h.call('GET', `/api/v1/public/certificates/${id}/page`)).body).toContain('Revoked');

    const entries = (await h.store.ledger.entriesForRecord(id)).map(
      (row) => JSON.parse(row.entry) as LedgerEntry,
    );
    expect(entries.map((e) => e.kind)).toEqual(['certificate.registered', 'certificate.revoked']);
    expect(entries[1]?.actor).toBe(h.users.admin.id);
  });

  it('shows the latest registered certificate to readers, with its status now', async () => {
    const none = await h.call('GET', '/api/v1/certificates/latest', { token: h.tokens.viewer });
    expect(none.statusCode).toBe(200);
    expect(none.json()).toEqual({ certificate: null });
    expect((await h.call('GET', '/api/v1/certificates/latest')).statusCode).toBe(401);

    await registerAs(h.tokens.admin);
    const valid = await h.call('GET', '/api/v1/certificates/latest', { token: h.tokens.viewer });
    expect(valid.json()).toMatchObject({ certificate: { id, status: 'valid' } });
    await h.call('POST', `/api/v1/certificates/${id}/revoke`, {
      token: h.tokens.admin,
      body: { reason: 'r' },
    });
    const revoked = await h.call('GET', '/api/v1/certificates/latest', { token: h.tokens.viewer });
    expect(revoked.json()).toMatchObject({ certificate: { id, status: 'revoked' } });
  });

  it('answers 404 for an unknown certificate (an "unknown" badge) and 400 for an id that is not one', async () => {
    const unknown = '00000000-0000-4000-8000-000000000000';
    expect((await h.call('GET', `/api/v1/public/certificates/${unknown}`)).statusCode).toBe(404);
    expect((await h.call('GET', `/api/v1/public/certificates/${unknown}/page`)).statusCode).toBe(404);
    expect((await h.call('GET', `/api/v1/public/certificates/${unknown}/badge.svg`)).body).toContain(
      'unknown',
    );
    expect((await h.call('GET', '/api/v1/public/certificates/..%2Fetc')).statusCode).toBe(400);
  });

  it('rate-limits public look-ups per client address', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 40; i++)
      statuses.push(
        (await h.call('GET', `/api/v1/public/certificates/${id}`, { remoteAddress: '198.51.100.9' }))
          .statusCode,
      );
    expect(statuses.slice(0, 30).every((s) => s === 404)).toBe(true);
    expect(statuses.slice(30)).toContain(429);
    const other = await h.call('GET', `/api/v1/public/certificates/${id}`, {
      remoteAddress: '198.51.100.10',
    });
    expect(other.statusCode).toBe(404);
  });
});

describe('cert verify --server', () => {
  it('accepts the registered certificate, then refuses it with certificate_revoked once revoked', async () => {
    await registerAs(h.tokens.admin);
    await h.app.listen({ host: '127.0.0.1', port: 0 });
    const server = `http://127.0.0.1:${(h.app.server.address() as AddressInfo).port}`;
    await expect(checkRevocation(server, id, jws)).resolves.toBeUndefined();
    await h.call('POST', `/api/v1/certificates/${id}/revoke`, {
      token: h.tokens.admin,
      body: { reason: 'flaw found' },
    });
    const error = await checkRevocation(server, id, jws).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(EnsuresecError);
    expect((error as EnsuresecError).code).toBe('certificate_revoked');
    const unknown = await checkRevocation(server, '00000000-0000-4000-8000-000000000000', jws).catch(
      (e: unknown) => e,
    );
    expect((unknown as EnsuresecError).code).toBe('certificate_invalid');
  });
});
