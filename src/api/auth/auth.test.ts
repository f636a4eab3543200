import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { TEST_PASSWORD, useHarness, type Harness } from '../testing/harness.js';
import { totpCode } from './totp.js';

const harness = useHarness();

describe('sessions', () => {
  it('sets an HttpOnly, SameSite=Strict, Path=/ cookie, Secure only over TLS', async () => {
    const t = await harness();
    const response = await t.call('POST', '/api/v1/auth/login', {
      body: { username: 'viewer-user', password: TEST_PASSWORD },
    });
    expect(response.statusCode).toBe(200);
    const cookie = response.cookies.find((c) => c.name === 'ensuresec_session');
    expect(cookie).toMatchObject({ httpOnly: true, sameSite: 'Strict', path: '/' });
    expect(cookie?.secure).toBeUndefined();
    expect(response.json()).toMatchObject({
      user: { name: 'viewer-user', role: 'viewer' },
      restrictions: [],
    });
    expect(JSON.stringify(response.json())).not.toContain('passwordHash');
  });

  it('marks the cookie Secure when forced by configuration', async () => {
    const t = await harness({ secureCookies: true });
    const response = await t.call('POST', '/api/v1/auth/login', {
      body: { username: 'viewer-user', password: TEST_PASSWORD },
    });
    expect(response.cookies.find((c) => c.name === 'ensuresec_session')?.secure).toBe(true);
  });

  it('marks the cookie Secure behind a trusted TLS proxy', async () => {
    const t = await harness({ trustProxy: true });
    const response = await t.call('POST', '/api/v1/auth/login', {
      body: { username: 'viewer-user', password: TEST_PASSWORD },
      headers: { 'x-forwarded-proto': 'https' },
    });
    expect(response.cookies.find((c) => c.name === 'ensuresec_session')?.secure).toBe(true);
  });

  it('stores only the hash of the session id, and expires it', async () => {
    const t = await harness();
    const { cookie } = await t.login('viewer-user');
    const sessionId = cookie.split('=')[1] ?? '';
    expect(await t.store.sessions.get(sessionId)).toBeUndefined();
    expect(await t.store.sessions.get(createHash('sha256').update(sessionId).digest('hex'))).toBeDefined();
    expect((await t.call('GET', '/api/v1/auth/me', { cookie })).json()).toMatchObject({ via: 'session' });
    t.clock.advance(3_600_001);
    const expired = await t.call('GET', '/api/v1/auth/me', { cookie });
    expect(expired.statusCode).toBe(401);
    expect(expired.json().error.code).toBe('unauthenticated');
  });

  it('logout ends the session', async () => {
    const t = await harness();
    const { cookie, csrf } = await t.login('viewer-user');
    expect((await t.call('POST', '/api/v1/auth/logout', { cookie, csrf })).statusCode).toBe(204);
    expect((await t.call('GET', '/api/v1/auth/me', { cookie })).statusCode).toBe(401);
  });

  it('refuses a wrong password, an unknown user and a disabled account', async () => {
    const t = await harness();
    await t.addUser('gone', 'viewer', { disabled: true });
    const wrong = await t.call('POST', '/api/v1/auth/login', {
      body: { username: 'viewer-user', password: 'nope-nope-nope' },
    });
    expect([wrong.statusCode, wrong.json().error.code]).toEqual([401, 'invalid_credentials']);
    const unknown = await t.call('POST', '/api/v1/auth/login', {
      body: { username: 'nobody', password: TEST_PASSWORD },
    });
    expect([unknown.statusCode, unknown.json().error.code]).toEqual([401, 'invalid_credentials']);
    const disabled = await t.call('POST', '/api/v1/auth/login', {
      body: { username: 'gone', password: TEST_PASSWORD },
    });
    expect([disabled.statusCode, disabled.json().error.code]).toEqual([403, 'account_disabled']);
  });
});

describe('CSRF', () => {
  it('refuses a cookie-authenticated change without the right x-csrf-token', async () => {
    const t = await harness();
    const { cookie, csrf } = await t.login('analyst-user');
    const body = { action: 'ban', scope: 'ip', value: '203.0.113.7', duration: '1h' };
    const missing = await t.call('POST', '/api/v1/decisions', { cookie, body });
    expect([missing.statusCode, missing.json().error.code]).toEqual([403, 'csrf_failed']);
    const wrong = await t.call('POST', '/api/v1/decisions', { cookie, csrf: csrf.slice(1) + 'x', body });
    expect([wrong.statusCode, wrong.json().error.code]).toEqual([403, 'csrf_failed']);
    const right = await t.call('POST', '/api/v1/decisions', { cookie, csrf, body });
    expect(right.statusCode).toBe(201);
    expect((await t.call('GET', '/api/v1/decisions', { cookie })).statusCode).toBe(200);
  });

  it('does not apply to bearer tokens', async () => {
    const t = await harness();
    const response = await t.call('POST', '/api/v1/decisions', {
      token: t.tokens.analyst,
      body: { action: 'ban', scope: 'ip', value: '203.0.113.8', duration: '1h' },
    });
    expect(response.statusCode).toBe(201);
  });
});

describe('login rate limit', () => {
  it('answers 429 with Retry-After per user name, then lets the user in after the window', async () => {
    const t = await harness({ loginRateLimit: { maxAttempts: 3, windowMs: 60_000 } });
    for (let i = 0; i < 3; i++) {
      const response = await t.call('POST', '/api/v1/auth/login', {
        body: { username: 'viewer-user', password: 'wrong-password!' },
        remoteAddress: `198.51.100.${i + 1}`,
      });
      expect(response.statusCode).toBe(401);
    }
    const limited = await t.call('POST', '/api/v1/auth/login', {
      body: { username: 'viewer-user', password: TEST_PASSWORD },
      remoteAddress: '198.51.100.9',
    });
    expect([limited.statusCode, limited.json().error.code]).toEqual([429, 'rate_limited']);
    expect(Number(limited.headers['retry-after'])).toBe(60);
    t.clock.advance(60_001);
    expect(
      (
        await t.call('POST', '/api/v1/auth/login', {
          body: { username: 'viewer-user', password: TEST_PASSWORD },
        })
      ).statusCode,
    ).toBe(200);
  });

  it('answers 429 per client ip across user names', async () => {
    const t = await harness({ loginRateLimit: { maxAttempts: 2, windowMs: 60_000 } });
    for (const username of ['a1', 'a2']) {
      await t.call('POST', '/api/v1/auth/login', {
        body: { username, password: 'x' },
        remoteAddress: '203.0.113.50',
      });
    }
    const limited = await t.call('POST', '/api/v1/auth/login', {
      body: { username: 'viewer-user', password: TEST_PASSWORD },
      remoteAddress: '203.0.113.50',
    });
    expect(limited.statusCode).toBe(429);
    const other = await t.call('POST', '/api/v1/auth/login', {
      body: { username: 'viewer-user', password: TEST_PASSWORD },
      remoteAddress: '203.0.113.51',
    });
    expect(other.statusCode).toBe(200);
  });
});

describe('TOTP', () => {
  async function enrol(t: Harness, name: string): Promise<string> {
    const { cookie, csrf } = await t.login(name);
    const setup = await t.call('POST', '/api/v1/auth/totp/setup', { cookie, csrf });
    expect(setup.statusCode).toBe(200);
    const { secret, otpauthUri } = setup.json() as { secret: string; otpauthUri: string };
    expect(otpauthUri).toMatch(/^otpauth:\/\/totp\/Ensuresec:/);
    const bad = await t.call('POST', '/api/v1/auth/totp/enable', { cookie, csrf, body: { code: '000000' } });
    expect(bad.json().error.code).toBe('totp_invalid');
    const ok = await t.call('POST', '/api/v1/auth/totp/enable', {
      cookie,
      csrf,
      body: { code: totpCode(secret, t.clock.nowMs()) },
    });
    expect(ok.json()).toMatchObject({ user: { totpEnabled: true } });
    return secret;
  }

  it('enrols, then requires the code at login and refuses its reuse', async () => {
    const t = await harness();
    const secret = await enrol(t, 'analyst-user');
    t.clock.advance(60_000);
    const without = await t.call('POST', '/api/v1/auth/login', {
      body: { username: 'analyst-user', password: TEST_PASSWORD },
    });
    expect([without.statusCode, without.json().error.code]).toEqual([401, 'totp_required']);
    const code = totpCode(secret, t.clock.nowMs());
    await t.login('analyst-user', TEST_PASSWORD, code);
    const reused = await t.call('POST', '/api/v1/auth/login', {
      body: { username: 'analyst-user', password: TEST_PASSWORD, totp: code },
    });
    expect([reused.statusCode, reused.json().error.code]).toEqual([401, 'totp_invalid']);
  });

  it('accepts a code one step old and refuses one two steps old', async () => {
    const t = await harness();
    const secret = await enrol(t, 'viewer-user');
    t.clock.advance(300_000);
    const stale = totpCode(secret, t.clock.nowMs() - 60_000);
    const old = await t.call('POST', '/api/v1/auth/login', {
      body: { username: 'viewer-user', password: TEST_PASSWORD, totp: stale },
    });
    expect(old.json().error.code).toBe('totp_invalid');
    await t.login('viewer-user', TEST_PASSWORD, totpCode(secret, t.clock.nowMs() - 30_000));
  });

  it('lets an admin without TOTP sign in only to enrol when required', async () => {
    const t = await harness({ requireTotpForAdmins: true });
    const { cookie, csrf } = await t.login('admin-user');
    const me = await t.call('GET', '/api/v1/auth/me', { cookie });
    expect(me.json().restrictions).toEqual(['totp_enrolment']);
    const users = await t.call('GET', '/api/v1/users', { cookie });
    expect([users.statusCode, users.json().error.code]).toEqual([403, 'totp_enrolment_required']);
    await enrol(t, 'admin-user');
    expect((await t.call('GET', '/api/v1/users', { cookie, csrf })).statusCode).toBe(200);
    // Other roles are not affected by the admin requirement.
    const viewer = await t.login('viewer-user');
    expect((await t.call('GET', '/api/v1/status', { cookie: viewer.cookie })).statusCode).toBe(200);
  });
});

describe('one-time passwords', () => {
  it('limits a mustChangePassword user to password change, me and logout', async () => {
    const t = await harness();
    await t.addUser('newbie', 'analyst', { mustChangePassword: true });
    const { cookie, csrf } = await t.login('newbie');
    const blocked = await t.call('GET', '/api/v1/decisions', { cookie });
    expect([blocked.statusCode, blocked.json().error.code]).toEqual([403, 'password_change_required']);
    const setup = await t.call('POST', '/api/v1/auth/totp/setup', { cookie, csrf });
    expect(setup.json().error.code).toBe('password_change_required');
    expect((await t.call('GET', '/api/v1/auth/me', { cookie })).json().restrictions).toEqual([
      'password_change',
    ]);
    const wrong = await t.call('POST', '/api/v1/auth/password', {
      cookie,
      csrf,
      body: { current: 'not-the-password', new: 'a-brand-new-password' },
    });
    expect(wrong.json().error.code).toBe('invalid_credentials');
    const changed = await t.call('POST', '/api/v1/auth/password', {
      cookie,
      csrf,
      body: { current: TEST_PASSWORD, new: 'a-brand-new-password' },
    });
    expect(changed.json()).toMatchObject({ user: { mustChangePassword: false } });
    expect((await t.call('GET', '/api/v1/decisions', { cookie })).statusCode).toBe(200);
    await t.login('newbie', 'a-brand-new-password');
  });
});

describe('ending sessions', () => {
  it('ends the other sessions of a user who changes the password, and keeps this one', async () => {
    const t = await harness();
    const other = await t.login('analyst-user');
    const current = await t.login('analyst-user');
    const changed = await t.call('POST', '/api/v1/auth/password', {
      cookie: current.cookie,
      csrf: current.csrf,
      body: { current: TEST_PASSWORD, new: 'another-long-password' },
    });
    expect(changed.statusCode).toBe(200);
    expect((await t.call('GET', '/api/v1/auth/me', { cookie: current.cookie })).statusCode).toBe(200);
    const ended = await t.call('GET', '/api/v1/auth/me', { cookie: other.cookie });
    expect([ended.statusCode, ended.json().error.code]).toEqual([401, 'unauthenticated']);
  });

  it('ends every session of a user an admin disables', async () => {
    const t = await harness();
    const viewer = await t.login('viewer-user');
    const disabled = await t.call('PATCH', `/api/v1/users/${t.users.viewer.id}`, {
      token: t.tokens.admin,
      body: { disabled: true },
    });
    expect(disabled.statusCode).toBe(200);
    expect(await t.store.sessions.deleteForUser(t.users.viewer.id)).toBe(0);
    expect((await t.call('GET', '/api/v1/auth/me', { cookie: viewer.cookie })).statusCode).toBe(401);
  });
});
