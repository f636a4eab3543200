import { readFileSync } from 'node:fs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { TOPICS, type DecisionChange } from '../../../bus/bus.js';
import {
  alertSchema,
  securityEventSchema,
  type Alert,
  type SecurityEvent,
} from '../../../core/records/index.js';
import { ROLES } from '../../../core/roles.js';
import { startHarness, type Harness } from '../../testing/harness.js';

const samples = JSON.parse(
  readFileSync(new URL('./fixtures/sample-records.json', import.meta.url), 'utf8'),
) as {
  events: unknown[];
  alerts: unknown[];
};

let h: Harness;
beforeEach(async () => {
  h = await startHarness({}, { statusProviders: { gateway: () => ({ requests: 42 }) } });
  await h.store.events.insertMany(samples.events.map((e) => securityEventSchema.parse(e) as SecurityEvent));
  for (const alert of samples.alerts) await h.store.alerts.insert(alertSchema.parse(alert) as Alert);
});
afterEach(async () => h.close());

describe('decisions', () => {
  it('publishes a DecisionChange for each create and delete', async () => {
    const seen: DecisionChange[] = [];
    h.bus.subscribe<DecisionChange>(TOPICS.decisions, (message) => void seen.push(message.data), {
      group: 'test',
    });
    const created = await h.call('POST', '/api/v1/decisions', {
      token: h.tokens.analyst,
      body: {
        action: 'ban',
        scope: 'ip',
        value: '203.0.113.7',
        duration: '4h',
        reason: 'stuffing',
        origin: 'cli',
      },
    });
    expect(created.statusCode).toBe(201);
    const decision = created.json();
    expect(decision).toMatchObject({ origin: 'cli', createdBy: 'analyst-user', reason: 'stuffing' });
    expect(Date.parse(decision.expiresAt) - Date.parse(decision.createdAt)).toBe(4 * 3_600_000);
    expect(
      (await h.call('DELETE', `/api/v1/decisions/${decision.id}`, { token: h.tokens.admin })).statusCode,
    ).toBe(204);
    await h.bus.drain();
    expect(seen).toEqual([
      { type: 'created', decision },
      { type: 'deleted', id: decision.id },
    ]);
    expect(
      (await h.call('DELETE', `/api/v1/decisions/${decision.id}`, { token: h.tokens.admin })).statusCode,
    ).toBe(404);
  });

  it('lists active ones, filters by scope and value, and defaults origin to api', async () => {
    const add = (body: object) => h.call('POST', '/api/v1/decisions', { token: h.tokens.analyst, body });
    await add({ action: 'ban', scope: 'ip', value: '203.0.113.7', duration: '30m' });
    await add({
      action: 'throttle',
      scope: 'cidr',
      value: '198.51.100.0/24',
      ratePerMinute: 10,
      duration: '7d',
    });
    const permanent = (
      await add({ action: 'challenge', scope: 'ja4', value: 't13d1516h2_8daaf6152771_e5627efa2ab1' })
    ).json();
    expect(permanent).toMatchObject({ origin: 'api', expiresAt: null });
    h.clock.advance(31 * 60_000);
    const active = await h.call('GET', '/api/v1/decisions?active=true', { token: h.tokens.viewer });
    expect((active.json().items as { scope: string }[]).map((d) => d.scope).sort()).toEqual(['cidr', 'ja4']);
    const all = await h.call('GET', '/api/v1/decisions?scope=ip&value=203.0.113.7', {
      token: h.tokens.viewer,
    });
    expect(all.json().items).toHaveLength(1);
    const gateway = await h.call('GET', '/api/v1/decisions/active', { token: h.tokens.viewer });
    expect(gateway.json().items).toHaveLength(2);
    const one = await h.call('GET', `/api/v1/decisions/${permanent.id}`, { token: h.tokens.viewer });
    expect(one.json()).toEqual(permanent);
  });
});

describe('roles in practice', () => {
  it('keeps viewers from writing and partners from internal views', async () => {
    const write = await h.call('POST', '/api/v1/decisions', {
      token: h.tokens.viewer,
      body: { action: 'ban', scope: 'ip', value: '203.0.113.7' },
    });
    expect([write.statusCode, write.json().error.code]).toEqual([403, 'forbidden']);
    expect((await h.call('GET', '/api/v1/events', { token: h.tokens.partner })).statusCode).toBe(403);
    expect((await h.call('GET', '/api/v1/users', { token: h.tokens.analyst })).statusCode).toBe(403);
    expect((await h.call('GET', '/api/v1/export/events', { token: h.tokens.partner })).statusCode).toBe(200);
    expect((await h.call('GET', '/api/v1/partner/decisions', { token: h.tokens.partner })).statusCode).toBe(
      200,
    );
  });

  it('lets analysts acknowledge alerts and run incidents', async () => {
    const ack = await h.call('PATCH', '/api/v1/alerts/alr_01JD3Q7Z9X8K2M4N6P8R0T2V4W', {
      token: h.tokens.analyst,
      body: { status: 'acknowledged' },
    });
    expect(ack.json()).toMatchObject({ status: 'acknowledged' });
    const opened = await h.call('POST', '/api/v1/incidents', {
      token: h.tokens.analyst,
      body: { title: 'Stuffing wave', severity: 'high', alertIds: ['alr_01JD3Q7Z9X8K2M4N6P8R0T2V4W'] },
    });
    expect(opened.statusCode).toBe(201);
    const patched = await h.call('PATCH', `/api/v1/incidents/${opened.json().id}`, {
      token: h.tokens.analyst,
      body: { status: 'triaged', impact: { affectedCustomers: 3 } },
    });
    expect(patched.json()).toMatchObject({
      status: 'triaged',
      impact: { affectedCustomers: 3 },
      title: 'Stuffing wave',
    });
    const listed = await h.call('GET', '/api/v1/incidents?status=triaged', { token: h.tokens.viewer });
    expect(listed.json().items).toHaveLength(1);
  });
});

describe('users', () => {
  it('lets an admin add, change and disable users, but not demote themselves', async () => {
    const added = await h.call('POST', '/api/v1/users', {
      token: h.tokens.admin,
      body: { name: 'carol', role: 'viewer' },
    });
    expect(added.statusCode).toBe(201);
    const { user, password } = added.json() as {
      user: { id: string; mustChangePassword: boolean };
      password: string;
    };
    expect(password).toHaveLength(20);
    expect(user.mustChangePassword).toBe(true);
    const again = await h.call('POST', '/api/v1/users', {
      token: h.tokens.admin,
      body: { name: 'carol', role: 'viewer' },
    });
    expect([again.statusCode, again.json().error.code]).toEqual([409, 'conflict']);
    const promoted = await h.call('PATCH', `/api/v1/users/${user.id}`, {
      token: h.tokens.admin,
      body: { role: 'analyst' },
    });
    expect(promoted.json()).toMatchObject({ user: { role: 'analyst' } });
    await h.call('PATCH', `/api/v1/users/${user.id}`, { token: h.tokens.admin, body: { disabled: true } });
    const login = await h.call('POST', '/api/v1/auth/login', { body: { username: 'carol', password } });
    expect(login.json().error.code).toBe('account_disabled');
    const self = await h.call('PATCH', `/api/v1/users/${h.users.admin.id}`, {
      token: h.tokens.admin,
      body: { role: 'viewer' },
    });
    expect(self.statusCode).toBe(403);
    const listed = await h.call('GET', '/api/v1/users?limit=2', { token: h.tokens.admin });
    expect(listed.json().items).toHaveLength(2);
    expect(listed.body).not.toContain('passwordHash');
  });
});

describe('export', () => {
  it('streams NDJSON with personal fields pseudonymised', async () => {
    const response = await h.call('GET', '/api/v1/export/events', { token: h.tokens.partner });
    expect(response.headers['content-type']).toContain('application/x-ndjson');
    const lines = response.body
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as SecurityEvent);
    expect(lines).toHaveLength(2);
    expect(response.body).not.toContain('203.0.113.7');
    expect(response.body).not.toContain('198.51.100.23');
    expect(response.body).not.toContain('jane@example.com');
    expect(lines.map((e) => e.client?.ip)).toEqual([
      expect.stringMatching(/^pii:client_address:/),
      expect.stringMatching(/^pii:client_address:/),
    ]);
  });

  it('maps to OCSF classes on format=ocsf', async () => {
    const response = await h.call('GET', '/api/v1/export/alerts?format=ocsf', { token: h.tokens.viewer });
    const [alert] = response.body
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(alert).toMatchObject({ class_uid: 2004, src_endpoint: { ip: expect.stringMatching(/^pii:/) } });
    expect(response.body).not.toContain('203.0.113.7');
    const events = await h.call('GET', '/api/v1/export/events?format=ocsf', { token: h.tokens.viewer });
    expect(events.body).toContain('"class_uid":4002');
    expect(events.body).not.toContain('203.0.113.7');
  });

  it('pseudonymises partner views the same way', async () => {
    await h.call('POST', '/api/v1/decisions', {
      token: h.tokens.analyst,
      body: { action: 'ban', scope: 'ip', value: '203.0.113.7' },
    });
    const decisions = await h.call('GET', '/api/v1/partner/decisions', { token: h.tokens.partner });
    const alerts = await h.call('GET', '/api/v1/partner/alerts', { token: h.tokens.partner });
    expect(decisions.json().items).toHaveLength(1);
    expect(alerts.json().items).toHaveLength(1);
    expect(decisions.body + alerts.body).not.toContain('203.0.113.7');
    expect(decisions.json().items[0].value).toBe(alerts.json().items[0].subject.ip);
  });
});

describe('status and readiness', () => {
  it('reports version, store, counts and provider stats', async () => {
    const response = await h.call('GET', '/api/v1/status', { token: h.tokens.viewer });
    expect(response.json()).toMatchObject({
      version: '0.0.0-test',
      store: expect.stringContaining('sqlite'),
      counts: { events: 2, users: ROLES.length },
      providers: { gateway: { requests: 42 } },
    });
  });

  it('answers 503 when a readiness check fails', async () => {
    const down = await startHarness({}, { readiness: async () => ({ store: true, bus: false }) });
    try {
      const response = await down.call('GET', '/readyz');
      expect(response.statusCode).toBe(503);
      expect(response.json().error).toMatchObject({
        code: 'not_ready',
        details: { store: true, bus: false },
      });
    } finally {
      await down.close();
    }
  });
});
