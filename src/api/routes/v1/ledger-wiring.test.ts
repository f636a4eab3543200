/**
 * Every security-relevant write of the API lands in the audit ledger with the record as
 * written (personal values salted, secrets never), and a refused write logs nothing.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { auditLedger, type LedgerEntry } from '../../../ledger/index.js';
import { sampleAlert } from '../../../store/fixtures/sample-records.js';
import { startHarness, type Harness } from '../../testing/harness.js';

let h: Harness;
beforeEach(async () => {
  h = await startHarness();
});
afterEach(async () => h.close());

async function entriesFor(recordId: string): Promise<LedgerEntry[]> {
  return (await h.store.ledger.entriesForRecord(recordId)).map((row) => JSON.parse(row.entry) as LedgerEntry);
}

async function onlyEntry(recordId: string, kind: string): Promise<LedgerEntry> {
  const entries = (await entriesFor(recordId)).filter((entry) => entry.kind === kind);
  expect(entries).toHaveLength(1);
  return entries[0] as LedgerEntry;
}

describe('the audit ledger behind the API', () => {
  it('logs a decision created and deleted, with the record as written and the ip salted', async () => {
    const created = await h.call('POST', '/api/v1/decisions', {
      token: h.tokens.analyst,
      body: { action: 'ban', scope: 'ip', value: '203.0.113.7', duration: '4h', reason: 'stuffing' },
    });
    expect(created.statusCode).toBe(201);
    const decision = created.json();
    const entry = await onlyEntry(decision.id, 'decision.created');
    expect(entry.actor).toBe(h.users.analyst.id);
    expect(entry.record).toEqual({ ...decision, value: expect.stringMatching(/^pii:client_address:/) });
    expect(JSON.stringify(entry)).not.toContain('203.0.113.7');

    expect(
      (await h.call('DELETE', `/api/v1/decisions/${decision.id}`, { token: h.tokens.admin })).statusCode,
    ).toBe(204);
    expect((await onlyEntry(decision.id, 'decision.deleted')).record).toEqual(entry.record);
  });

  it('logs alert status changes and incident changes', async () => {
    const alert = sampleAlert();
    await h.store.alerts.insert(alert);
    const patched = await h.call('PATCH', `/api/v1/alerts/${alert.id}`, {
      token: h.tokens.analyst,
      body: { status: 'acknowledged' },
    });
    expect(patched.statusCode).toBe(200);
    expect((await onlyEntry(alert.id, 'alert.status_changed')).record).toMatchObject({
      status: 'acknowledged',
    });

    const opened = await h.call('POST', '/api/v1/incidents', {
      token: h.tokens.analyst,
      body: { title: 'Card testing', severity: 'high', alertIds: [alert.id] },
    });
    const incident = opened.json();
    expect((await onlyEntry(incident.id, 'incident.created')).record).toEqual(incident);
    const updated = await h.call('PATCH', `/api/v1/incidents/${incident.id}`, {
      token: h.tokens.analyst,
      body: { status: 'triaged' },
    });
    expect((await onlyEntry(incident.id, 'incident.updated')).record).toEqual(updated.json());
  });

  it('logs users and tokens as their public view, never a password or token hash', async () => {
    const added = await h.call('POST', '/api/v1/users', {
      token: h.tokens.admin,
      body: { name: 'carol', role: 'analyst' },
    });
    const { user } = added.json();
    const created = await onlyEntry(user.id, 'user.created');
    expect(created.actor).toBe(h.users.admin.id);
    expect(created.record).toMatchObject({
      id: user.id,
      role: 'analyst',
      name: expect.stringMatching(/^pii:account_id:/),
    });
    await h.call('PATCH', `/api/v1/users/${user.id}`, { token: h.tokens.admin, body: { disabled: true } });
    expect((await onlyEntry(user.id, 'user.updated')).record).toMatchObject({ disabled: true });

    const issued = await h.call('POST', '/api/v1/tokens', { token: h.tokens.viewer, body: { name: 'ci' } });
    const { token, record } = issued.json();
    expect((await onlyEntry(record.id, 'token.created')).record).toMatchObject({ id: record.id, name: 'ci' });
    await h.call('DELETE', `/api/v1/tokens/${record.id}`, { token: h.tokens.viewer });
    expect((await onlyEntry(record.id, 'token.revoked')).record).toMatchObject({
      revokedAt: expect.any(String),
    });

    const everything = (await h.store.ledger.listEntries(0, 1000)).map((row) => row.entry).join('\n');
    const stored = await h.store.users.get(user.id);
    for (const secret of [token, stored?.passwordHash ?? 'missing', 'carol'])
      expect(everything).not.toContain(secret);
  });

  it('logs the password change and TOTP enrolment of a signed-in user', async () => {
    const { cookie, csrf } = await h.login('viewer-user');
    const changed = await h.call('POST', '/api/v1/auth/password', {
      cookie,
      csrf,
      body: { current: 'correct-horse-battery-staple', new: 'an-even-longer-passphrase-2026' },
    });
    expect(changed.statusCode).toBe(200);
    expect((await onlyEntry(h.users.viewer.id, 'user.password_changed')).actor).toBe(h.users.viewer.id);
    const setup = await h.call('POST', '/api/v1/auth/totp/setup', { cookie, csrf });
    expect(setup.statusCode).toBe(200);
    const entry = await onlyEntry(h.users.viewer.id, 'user.totp_setup_started');
    expect(JSON.stringify(entry)).not.toContain(setup.json().secret);
  });

  it('logs nothing for a refused write, and the log verifies', async () => {
    const before = await h.store.ledger.size();
    const missing = await h.call('PATCH', '/api/v1/alerts/alr_01JD3Q7Z9X8K2M4N6P8R0T2V4W', {
      token: h.tokens.analyst,
      body: { status: 'closed' },
    });
    expect(missing.statusCode).toBe(404);
    const invalid = await h.call('PATCH', '/api/v1/incidents/inc_01JD3Q7Z9X8K2M4N6P8R0T2V4W', {
      token: h.tokens.analyst,
      body: { status: 'closed' },
    });
    expect(invalid.statusCode).toBe(404);
    expect(await h.store.ledger.size()).toBe(before);
    expect((await auditLedger(h.store.ledger)).ok).toBe(true);
  });
});
