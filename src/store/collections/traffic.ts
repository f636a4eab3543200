/**
 * Requests per minute (store layer, since 015): the dashboard's traffic chart reads a rollup,
 * not the raw events. Every batch of HTTP events stored adds its counts to `traffic_minutes`
 * (one row per minute: requests, and the requests the gateway answered itself) in the same
 * transaction, by an atomic `+=` upsert, so several writers count right and a resent event,
 * skipped as a duplicate, is not counted again. A chart over a day reads 1,440 rows however
 * busy the shop; retention purges the rollup with the raw events.
 */
import { sql, type Kysely, type Transaction } from 'kysely';
import type { SecurityEvent } from '../../core/records/index.js';
import { epochMsOf } from '../columns.js';
import type { StoreDatabase } from '../schema.js';
import type { TrafficBucket } from '../store.js';

export const MINUTE_MS = 60_000;

/** The gateway outcomes that count as a blocked request on the traffic chart. */
export const BLOCKED_OUTCOMES: ReadonlySet<string> = new Set([
  'banned',
  'throttled',
  'rate_limited',
  'rejected',
  'blocked',
]);

/** Adds the stored events' HTTP requests to their minutes, inside the insert's transaction. */
export async function countTraffic(
  trx: Transaction<StoreDatabase>,
  stored: readonly SecurityEvent[],
): Promise<void> {
  const minutes = new Map<number, { requests: number; blocked: number }>();
  for (const event of stored) {
    if (event.kind !== 'http') continue;
    const minuteMs = Math.floor(epochMsOf(event.time, 'event.time') / MINUTE_MS) * MINUTE_MS;
    const counts = minutes.get(minuteMs) ?? { requests: 0, blocked: 0 };
    counts.requests += 1;
    if (event.http && BLOCKED_OUTCOMES.has(event.http.outcome)) counts.blocked += 1;
    minutes.set(minuteMs, counts);
  }
  // Ascending, so concurrent writers take the rows' locks in one order (PostgreSQL).
  for (const [minuteMs, counts] of [...minutes].sort(([a], [b]) => a - b)) {
    await trx
      .insertInto('traffic_minutes')
      .values({ minute_ms: minuteMs, requests: counts.requests, blocked: counts.blocked })
      .onConflict((conflict) =>
        conflict.column('minute_ms').doUpdateSet({
          requests: sql`traffic_minutes.requests + ${counts.requests}`,
          blocked: sql`traffic_minutes.blocked + ${counts.blocked}`,
        }),
      )
      .execute();
  }
}

/** The minutes in [sinceMs, untilMs) summed per bucket of `bucketMs` (whole minutes), ascending, empty ones left out. */
export async function trafficBuckets(
  db: Kysely<StoreDatabase>,
  sinceMs: number,
  untilMs: number,
  bucketMs: number,
): Promise<TrafficBucket[]> {
  // The cast keeps the division whole on SQLite, which binds a JS number as a real.
  const bucket = sql<number | string>`cast((minute_ms - ${sinceMs}) / ${bucketMs} as bigint)`;
  const rows = await db
    .selectFrom('traffic_minutes')
    .select([
      bucket.as('bucket'),
      (eb) => eb.fn.sum<number | string>('requests').as('requests'),
      (eb) => eb.fn.sum<number | string>('blocked').as('blocked'),
    ])
    .where('minute_ms', '>=', sinceMs)
    .where('minute_ms', '<', untilMs)
    // By the output name: the same expression written twice would bind its parameters twice,
    // and PostgreSQL would not see that the two are one.
    .groupBy(sql`bucket`)
    .orderBy(sql`bucket`)
    .execute();
  return rows.map((row) => ({
    startMs: sinceMs + Number(row.bucket) * bucketMs,
    requests: Number(row.requests),
    blocked: Number(row.blocked),
  }));
}

/** Retention: forgets the minutes before the instant, as the raw events are. */
export async function purgeTrafficBefore(db: Kysely<StoreDatabase>, beforeMs: number): Promise<void> {
  await db.deleteFrom('traffic_minutes').where('minute_ms', '<', beforeMs).execute();
}
