/**
 * Alert tuning, counts and traffic (api/v1) on a real SQLite store and ledger: marking an alert
 * a false positive closes it, records a tuning entry in the ledger and keeps the alert writer
 * from raising that rule about that entity again; counts by status and severity; requests and
 * blocked requests per minute from stored HTTP events.
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AlertSuppression, SecurityEvent } from '../../../core/records/index.js';
import { createAlertWriter } from '../../../detect/pipeline/writer.js';
import { sampleAlert, sampleEvent } from '../../../store/fixtures/sample-records.js';
import { startHarness, type Harness } from '../../testing/harness.js';

interface TrafficFixture {
  events: { minutesAgo: number; outcome: NonNullable<SecurityEvent['http']>['outcome']; count: number }[];
  expected: { minutesAgo: number; requests: number; blocked: number }[];
}
const traffic = JSON.parse(
  readFileSync(new URL('./fixtures/traffic.json', import.meta.url), 'utf8'),
) as TrafficFixture;

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(() => h.close());

const errorCode = (res: { json(): unknown }) => (res.json() as { error: { code: string } }).error.code;

describe('marking an alert a false positive', () => {
  it('closes the alert, records the tuning entry in the ledger and suppresses that rule for that entity', async () => {
    const alert = sampleAlert({ ruleId: 'test.fp', subject: { ip: '198.51.100.9' } });
    await h.store.alerts.insert(alert);
    const res = await h.call('POST', `/api/v1/alerts/${alert.id}/false-positive`, {
      token: h.tokens.analyst,
      body: { reason: 'our own uptime monitor' },
    });
    expect(res.statusCode).toBe(201);
    const suppression = res.json() as AlertSuppression;
    expect(suppression).toMatchObject({
      ruleId: 'test.fp',
      entity: { type: 'ip', value: '198.51.100.9' },
      alertId: alert.id,
      reason: 'our own uptime monitor',
      createdBy: h.users.analyst.id,
    });
    expect((await h.store.alerts.get(alert.id))?.status).toBe('closed');
    const [entry] = await h.store.ledger.entriesForRecord(suppression.id);
    expect(entry?.kind).toBe('alert.suppressed');
    // The entity's address is personal data: the ledger holds a salted hash, never the address.
    expect(entry?.entry).not.toContain('198.51.100.9');

    const created: string[] = [];
    const writer = createAlertWriter({ ledger: h.ledger, onCreated: (a) => void created.push(a.id) });
    const again = sampleAlert({ ruleId: 'test.fp', subject: { ip: '198.51.100.9' } });
    const otherClient = sampleAlert({ ruleId: 'test.fp', subject: { ip: '198.51.100.10' } });
    const otherRule = sampleAlert({ ruleId: 'test.other', subject: { ip: '198.51.100.9' } });
    writer.write([again, otherClient, otherRule].map((a) => ({ type: 'created' as const, alert: a })));
    await writer.close();
    expect(created.sort()).toEqual([otherClient.id, otherRule.id].sort());
    expect(await h.store.alerts.get(again.id)).toBeUndefined();
    expect(writer.stats()).toMatchObject({ created: 2, suppressed: 1 });
  });

  it('lists tuning entries, refuses a second one for the same rule and entity, and removes one', async () => {
    const alert = sampleAlert({ ruleId: 'test.fp2', subject: { ip: '198.51.100.20' } });
    await h.store.alerts.insert(alert);
    const body = { reason: 'load test', scope: 'rule' };
    const first = await h.call('POST', `/api/v1/alerts/${alert.id}/false-positive`, {
      token: h.tokens.admin,
      body,
    });
    expect(first.statusCode).toBe(201);
    const id = (first.json() as AlertSuppression).id;
    expect((first.json() as AlertSuppression).entity).toBeNull();
    const second = await h.call('POST', `/api/v1/alerts/${alert.id}/false-positive`, {
      token: h.tokens.admin,
      body,
    });
    expect(second.statusCode).toBe(409);
    expect(errorCode(second)).toBe('conflict');

    const listed = await h.call('GET', '/api/v1/alerts/suppressions?ruleId=test.fp2', {
      token: h.tokens.viewer,
    });
    expect((listed.json() as { items: AlertSuppression[] }).items.map((s) => s.id)).toEqual([id]);

    const removed = await h.call('DELETE', `/api/v1/alerts/suppressions/${id}`, { token: h.tokens.analyst });
    expect(removed.statusCode).toBe(204);
    expect(await h.store.alertSuppressions.matches('test.fp2', 'ip:198.51.100.20')).toBeUndefined();
    expect((await h.store.ledger.entriesForRecord(id)).map((e) => e.kind)).toEqual([
      'alert.suppressed',
      'alert.suppression_removed',
    ]);
    const gone = await h.call('DELETE', `/api/v1/alerts/suppressions/${id}`, { token: h.tokens.analyst });
    expect(gone.statusCode).toBe(404);
  });

  it('answers clear errors: unknown alert, no entity to suppress, no reason, and roles that may not', async () => {
    const missing = await h.call('POST', '/api/v1/alerts/alr_01JD3Q7Z9X8K2M4N6P8R0T2V4W/false-positive', {
      token: h.tokens.analyst,
      body: { reason: 'x' },
    });
    expect(missing.statusCode).toBe(404);
    const anonymous = sampleAlert({ subject: {} });
    await h.store.alerts.insert(anonymous);
    const noEntity = await h.call('POST', `/api/v1/alerts/${anonymous.id}/false-positive`, {
      token: h.tokens.analyst,
      body: { reason: 'x' },
    });
    expect(noEntity.statusCode).toBe(400);
    expect(errorCode(noEntity)).toBe('bad_request');
    const noReason = await h.call('POST', `/api/v1/alerts/${anonymous.id}/false-positive`, {
      token: h.tokens.analyst,
      body: {},
    });
    expect(errorCode(noReason)).toBe('validation_failed');
    for (const role of ['viewer', 'partner'] as const) {
      const res = await h.call('POST', `/api/v1/alerts/${anonymous.id}/false-positive`, {
        token: h.tokens[role],
        body: { reason: 'x' },
      });
      expect(res.statusCode).toBe(403);
    }
    expect((await h.call('GET', '/api/v1/alerts/suppressions', { token: h.tokens.partner })).statusCode).toBe(
      403,
    );
  });
});

describe('alert counts', () => {
  it('counts every alert by status and severity', async () => {
    const before = await h.call('GET', '/api/v1/alerts/counts', { token: h.tokens.viewer });
    type Counts = { items: { status: string; severity: string; count: number }[] };
    const countOf = (body: Counts, status: string, severity: string) =>
      body.items.find((c) => c.status === status && c.severity === severity)?.count ?? 0;
    const openCritical = countOf(before.json() as Counts, 'open', 'critical');
    for (let i = 0; i < 3; i++)
      await h.store.alerts.insert(sampleAlert({ severity: 'critical', status: 'open' }));
    await h.store.alerts.insert(sampleAlert({ severity: 'critical', status: 'acknowledged' }));
    const after = (await h.call('GET', '/api/v1/alerts/counts', { token: h.tokens.viewer })).json() as Counts;
    expect(countOf(after, 'open', 'critical')).toBe(openCritical + 3);
    expect(countOf(after, 'acknowledged', 'critical')).toBeGreaterThanOrEqual(1);
    expect((await h.call('GET', '/api/v1/alerts/counts', { token: h.tokens.partner })).statusCode).toBe(403);
  });
});

describe('traffic over time', () => {
  it('counts requests and blocked requests per minute over the last hour, every bucket present', async () => {
    const now = h.clock.nowMs();
    const events = traffic.events.flatMap(({ minutesAgo, outcome, count }) =>
      Array.from({ length: count }, () => {
        const base = sampleEvent();
        return sampleEvent({
          time: new Date(now - minutesAgo * 60_000).toISOString(),
          http: { ...(base.http as NonNullable<SecurityEvent['http']>), outcome },
        });
      }),
    );
    // An event of another kind is not a request.
    events.push(sampleEvent({ kind: 'business', time: new Date(now).toISOString() }));
    await h.store.events.insertMany(events);

    const res = await h.call('GET', '/api/v1/metrics/traffic?window=1h', { token: h.tokens.viewer });
    expect(res.statusCode).toBe(200);
    const body = res.json() as {
      bucketMs: number;
      buckets: { startMs: number; requests: number; blocked: number }[];
    };
    expect(body.bucketMs).toBe(60_000);
    expect(body.buckets).toHaveLength(60);
    const minuteOf = (minutesAgo: number) => Math.floor((now - minutesAgo * 60_000) / 60_000) * 60_000;
    for (const expected of traffic.expected) {
      expect(body.buckets.find((b) => b.startMs === minuteOf(expected.minutesAgo))).toEqual({
        startMs: minuteOf(expected.minutesAgo),
        requests: expected.requests,
        blocked: expected.blocked,
      });
    }
    const total = body.buckets.reduce((sum, b) => sum + b.requests, 0);
    expect(total).toBe(traffic.expected.reduce((sum, e) => sum + e.requests, 0));
  });

  it('refuses an unknown window and callers without read', async () => {
    const bad = await h.call('GET', '/api/v1/metrics/traffic?window=2d', { token: h.tokens.viewer });
    expect(errorCode(bad)).toBe('validation_failed');
    expect((await h.call('GET', '/api/v1/metrics/traffic', { token: h.tokens.partner })).statusCode).toBe(
      403,
    );
    expect((await h.call('GET', '/api/v1/metrics/traffic')).statusCode).toBe(401);
  });
});
