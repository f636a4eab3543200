/**
 * The store's dashboard queries (since 015) on every dialect: requests and blocked requests per
 * bucket from HTTP events, alert counts by status and severity, and tuning entries matched by
 * rule and entity (or every entity).
 */
import { afterAll, describe, expect, it } from 'vitest';
import type { SecurityEvent } from '../core/records/index.js';
import { newId } from '../core/ids.js';
import { ledgerDialects } from '../ledger/test-support.js';
import { sampleAlert, sampleEvent } from './fixtures/sample-records.js';

const harnesses = await ledgerDialects('dashboard queries');
const T0 = Date.parse('2026-03-01T12:00:00.000Z');

function request(timeMs: number, outcome: NonNullable<SecurityEvent['http']>['outcome']): SecurityEvent {
  const base = sampleEvent();
  return sampleEvent({
    time: new Date(timeMs).toISOString(),
    http: { ...(base.http as NonNullable<SecurityEvent['http']>), outcome },
  });
}

for (const harness of harnesses) {
  describe(`dashboard queries on ${harness.name}`, () => {
    afterAll(() => harness.dispose());

    it('counts requests and blocked requests per bucket, only HTTP events inside the window', async () => {
      const store = await harness.openFresh();
      await store.migrate();
      const first = request(T0, 'forwarded');
      await store.events.insertMany([
        first,
        request(T0 + 59_999, 'banned'),
        request(T0 + 60_000, 'blocked'),
        request(T0 + 60_001, 'upstream_error'),
        request(T0 + 180_000, 'rate_limited'),
        request(T0 - 1, 'forwarded'),
        request(T0 + 240_000, 'forwarded'),
        sampleEvent({ kind: 'business', time: new Date(T0).toISOString() }),
      ]);
      // A resent event is skipped, and not counted again.
      expect(await store.events.insertMany([first, request(T0 + 1000, 'rejected')])).toBe(1);
      expect(await store.events.trafficBuckets(T0, T0 + 240_000, 60_000)).toEqual([
        { startMs: T0, requests: 3, blocked: 2 },
        { startMs: T0 + 60_000, requests: 2, blocked: 1 },
        { startMs: T0 + 180_000, requests: 1, blocked: 1 },
      ]);
      expect(await store.events.trafficBuckets(T0 - 60_000, T0 + 300_000, 120_000)).toEqual([
        { startMs: T0 - 60_000, requests: 4, blocked: 2 },
        { startMs: T0 + 60_000, requests: 2, blocked: 1 },
        { startMs: T0 + 180_000, requests: 2, blocked: 1 },
      ]);
      // Retention forgets whole minutes before the cut, with the events.
      await store.events.purgeBefore(new Date(T0 + 90_000).toISOString());
      expect(await store.events.trafficBuckets(T0 - 60_000, T0 + 240_000, 60_000)).toEqual([
        { startMs: T0 + 60_000, requests: 2, blocked: 1 },
        { startMs: T0 + 180_000, requests: 1, blocked: 1 },
      ]);
      await store.close();
    });

    it('counts alerts by status and severity', async () => {
      const store = await harness.openFresh();
      await store.migrate();
      for (const [status, severity] of [
        ['open', 'high'],
        ['open', 'high'],
        ['closed', 'high'],
        ['open', 'low'],
      ] as const)
        await store.alerts.insert(sampleAlert({ status, severity }));
      const counts = await store.alerts.countByStatusAndSeverity();
      expect(
        counts.sort((a, b) => `${a.status}${a.severity}`.localeCompare(`${b.status}${b.severity}`)),
      ).toEqual([
        { status: 'closed', severity: 'high', count: 1 },
        { status: 'open', severity: 'high', count: 2 },
        { status: 'open', severity: 'low', count: 1 },
      ]);
      await store.close();
    });

    it('matches a tuning entry by rule and entity, or by rule alone for every entity', async () => {
      const store = await harness.openFresh();
      await store.migrate();
      const entry = {
        alertId: newId('alr'),
        reason: 'monitoring',
        createdAt: new Date(T0).toISOString(),
        createdBy: 'usr_x',
      };
      const one = { ...entry, id: newId('sup'), ruleId: 'r1', entity: { type: 'ip', value: '192.0.2.1' } };
      const every = { ...entry, id: newId('sup'), ruleId: 'r2', entity: null };
      await store.alertSuppressions.insert(one);
      await store.alertSuppressions.insert(every);
      expect((await store.alertSuppressions.matches('r1', 'ip:192.0.2.1'))?.id).toBe(one.id);
      expect(await store.alertSuppressions.matches('r1', 'ip:192.0.2.2')).toBeUndefined();
      expect((await store.alertSuppressions.matches('r2', 'ip:192.0.2.2'))?.id).toBe(every.id);
      expect((await store.alertSuppressions.matches('r2', '*'))?.id).toBe(every.id);
      await expect(store.alertSuppressions.insert({ ...one, id: newId('sup') })).rejects.toMatchObject({
        code: 'conflict',
      });
      expect((await store.alertSuppressions.list({})).items.map((s) => s.id)).toEqual([every.id, one.id]);
      expect(await store.alertSuppressions.delete(one.id)).toBe(true);
      expect(await store.alertSuppressions.delete(one.id)).toBe(false);
      await store.close();
    });
  });
}
