/**
 * The events table's indexes (since 016) on every dialect: the index by client address holds
 * only the events that have one (device telemetry and business events have none and are the
 * bulk of the writes), and listing by client address still reads through it.
 */
import { afterAll, describe, expect, it } from 'vitest';
import type { SecurityEvent } from '../core/records/index.js';
import { ledgerDialects } from '../ledger/test-support.js';
import { sampleEvent } from './fixtures/sample-records.js';

const harnesses = await ledgerDialects('events indexes');

/** An event without a client address, as the delivery source writes them. */
function withoutClient(over: Partial<SecurityEvent>): SecurityEvent {
  const { client: _none, ...event } = sampleEvent(over);
  return event;
}

/** The SQL `events.list({ clientIp })` runs (events.ts), with the dialect's placeholders left to RawSql. */
const LIST_BY_CLIENT = 'select id, record from events where client_ip = ? order by id desc limit 51';

for (const harness of harnesses) {
  describe(`events indexes on ${harness.name}`, () => {
    afterAll(() => harness.dispose());

    it('indexes by client address only the events that have one, and lists by address through it', async () => {
      const { store, sql } = await harness.openFreshWithSql();
      try {
        await store.migrate();
        const first = sampleEvent({ time: '2025-03-01T10:00:00.000Z' });
        const other = sampleEvent({ time: '2025-03-01T10:00:01.000Z', client: { ip: '198.51.100.1' } });
        const second = sampleEvent({ time: '2025-03-01T10:00:02.000Z' });
        const telemetry = [0, 1, 2].map((i) =>
          withoutClient({ kind: 'delivery', time: `2025-03-01T10:00:0${3 + i}.000Z` }),
        );
        await store.events.insertMany([first, other, second, ...telemetry]);

        const listed = await store.events.list({ clientIp: '203.0.113.7' });
        expect(listed.items.map((event) => event.id)).toEqual([second.id, first.id]);
        expect((await store.events.list({ kind: 'delivery' })).items).toHaveLength(3);

        if (harness.name === 'sqlite') {
          const [index] = await sql.run("select sql from sqlite_master where name = 'events_client_ip_id'");
          expect(String(index?.['sql'])).toMatch(/where\s+"?client_ip"?\s+is not null/i);
          const plan = await sql.run(`explain query plan ${LIST_BY_CLIENT}`, ['203.0.113.7']);
          expect(plan.map((step) => String(step['detail'])).join('\n')).toContain('events_client_ip_id');
        } else {
          const [index] = await sql.run(
            "select indexdef from pg_indexes where indexname = 'events_client_ip_id'",
          );
          expect(String(index?.['indexdef'])).toMatch(/WHERE \(client_ip IS NOT NULL\)/);
          // Three rows: the planner prefers a table scan unless told not to; the point is that
          // `client_ip = $1` may use the partial index at all.
          await sql.run('set enable_seqscan = off');
          const plan = await sql.run(`explain ${LIST_BY_CLIENT}`, ['203.0.113.7']);
          expect(plan.map((step) => String(step['QUERY PLAN'])).join('\n')).toContain('events_client_ip_id');
        }
      } finally {
        await sql.close();
        await store.close();
      }
    });
  });
}
