import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { ROLES } from '../../core/roles.js';
import { startHarness, useHarness } from '../testing/harness.js';
import { bootstrapAdmin, createLocalAdminToken } from './bootstrap.js';
import { verifyPassword } from './passwords.js';

const harness = useHarness();

describe('API tokens', () => {
  it('shows a new token once, stores only its SHA-256, and refuses it once revoked', async () => {
    const t = await harness();
    const created = await t.call('POST', '/api/v1/tokens', {
      token: t.tokens.viewer,
      body: { name: 'laptop' },
    });
    expect(created.statusCode).toBe(201);
    const { token, record } = created.json() as { token: string; record: { id: string } };
    expect(token).toMatch(/^ens_[A-Za-z0-9_-]{43}$/);
    const stored = await t.store.tokens.get(record.id);
    expect(stored?.tokenHash).toBe(createHash('sha256').update(token).digest('hex'));
    const listed = await t.call('GET', '/api/v1/tokens', { token });
    expect(listed.body).not.toContain(token.slice(4));
    expect(listed.body).not.toContain(stored?.tokenHash);
    expect((listed.json() as { items: unknown[] }).items).toHaveLength(2);
    expect(
      (await t.call('DELETE', `/api/v1/tokens/${record.id}`, { token: t.tokens.viewer })).statusCode,
    ).toBe(204);
    const refused = await t.call('GET', '/api/v1/status', { token });
    expect([refused.statusCode, refused.json().error.code]).toEqual([401, 'token_invalid']);
  });

  it('refuses an expired token', async () => {
    const t = await harness();
    const created = await t.call('POST', '/api/v1/tokens', {
      token: t.tokens.viewer,
      body: { name: 'short', expiresInDays: 1 },
    });
    const { token } = created.json() as { token: string };
    expect((await t.call('GET', '/api/v1/status', { token })).statusCode).toBe(200);
    t.clock.advance(86_400_001);
    expect((await t.call('GET', '/api/v1/status', { token })).json().error.code).toBe('token_invalid');
  });

  it('touches lastUsedAt at most once a minute', async () => {
    const t = await harness();
    const [record] = (await t.store.tokens.list({ userId: t.users.viewer.id })).items;
    await t.call('GET', '/api/v1/status', { token: t.tokens.viewer });
    const first = (await t.store.tokens.get(record?.id ?? ''))?.lastUsedAt;
    expect(first).toBe(new Date(t.clock.nowMs()).toISOString());
    t.clock.advance(30_000);
    await t.call('GET', '/api/v1/status', { token: t.tokens.viewer });
    expect((await t.store.tokens.get(record?.id ?? ''))?.lastUsedAt).toBe(first);
    t.clock.advance(31_000);
    await t.call('GET', '/api/v1/status', { token: t.tokens.viewer });
    expect((await t.store.tokens.get(record?.id ?? ''))?.lastUsedAt).not.toBe(first);
  });

  it("keeps users to their own tokens while an admin manages everyone's", async () => {
    const t = await harness();
    const [adminToken] = (await t.store.tokens.list({ userId: t.users.admin.id })).items;
    const steal = await t.call('DELETE', `/api/v1/tokens/${adminToken?.id}`, { token: t.tokens.analyst });
    expect(steal.statusCode).toBe(404);
    const peek = await t.call('GET', `/api/v1/tokens?userId=${t.users.admin.id}`, {
      token: t.tokens.analyst,
    });
    expect(peek.statusCode).toBe(403);
    const forOther = await t.call('POST', '/api/v1/tokens', {
      token: t.tokens.analyst,
      body: { name: 'x', userId: t.users.admin.id },
    });
    expect(forOther.statusCode).toBe(403);
    const all = await t.call('GET', '/api/v1/tokens', { token: t.tokens.admin });
    // The harness seeds one user with one token per role.
    expect((all.json() as { items: unknown[] }).items).toHaveLength(ROLES.length);
    const [viewerToken] = (await t.store.tokens.list({ userId: t.users.viewer.id })).items;
    expect(
      (await t.call('DELETE', `/api/v1/tokens/${viewerToken?.id}`, { token: t.tokens.admin })).statusCode,
    ).toBe(204);
    expect((await t.call('GET', '/api/v1/status', { token: t.tokens.viewer })).statusCode).toBe(401);
  });

  it('refuses a malformed Authorization header and a disabled owner', async () => {
    const t = await harness();
    const basic = await t.call('GET', '/api/v1/status', {
      headers: { authorization: 'Basic YWRtaW46YWRtaW4=' },
    });
    expect([basic.statusCode, basic.json().error.code]).toEqual([401, 'unauthenticated']);
    const garbage = await t.call('GET', '/api/v1/status', {
      headers: { authorization: 'Bearer ../../etc/passwd' },
    });
    expect(garbage.json().error.code).toBe('token_invalid');
    await t.store.users.update({ ...t.users.viewer, disabled: true });
    const disabled = await t.call('GET', '/api/v1/status', { token: t.tokens.viewer });
    expect([disabled.statusCode, disabled.json().error.code]).toEqual([403, 'account_disabled']);
  });
});

describe('bootstrap', () => {
  it('creates admin once with a one-time password, and a working local CLI token', async () => {
    const t = await harness();
    expect(await bootstrapAdmin(t.store, t.ledger)).toEqual({ created: false, username: 'admin' });
    const fresh = await startHarness({}, {}, { seedUsers: false });
    try {
      const result = await bootstrapAdmin(fresh.store, fresh.ledger);
      expect(result).toMatchObject({ created: true, username: 'admin' });
      expect(result.password).toHaveLength(20);
      const admin = await fresh.store.users.getByName('admin');
      expect(admin).toMatchObject({ role: 'admin', mustChangePassword: true });
      expect(await verifyPassword(admin?.passwordHash ?? '', result.password ?? '')).toBe(true);
      const token = await createLocalAdminToken(fresh.ledger, admin?.id ?? '');
      expect(token).toMatch(/^ens_/);
      const users = await fresh.call('GET', '/api/v1/users', { token });
      expect(users.statusCode).toBe(200);
      const login = await fresh.login('admin', result.password);
      const blocked = await fresh.call('GET', '/api/v1/users', { cookie: login.cookie });
      expect(blocked.json().error.code).toBe('password_change_required');
    } finally {
      await fresh.close();
    }
  });

  it('keeps a password the operator chose, without forcing a change', async () => {
    const fresh = await startHarness({}, {}, { seedUsers: false });
    try {
      const result = await bootstrapAdmin(fresh.store, fresh.ledger, {
        password: 'operator-chosen-password',
      });
      expect(result).toEqual({ created: true, username: 'admin' });
      const admin = await fresh.store.users.getByName('admin');
      expect(admin).toMatchObject({ mustChangePassword: false });
      const login = await fresh.login('admin', 'operator-chosen-password');
      expect((await fresh.call('GET', '/api/v1/users', { cookie: login.cookie })).statusCode).toBe(200);
    } finally {
      await fresh.close();
    }
  });
});
