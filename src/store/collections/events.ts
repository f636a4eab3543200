/**
 * Raw security events (store layer): written in batches by ingest, read by the API and
 * detectors, purged by retention. `since` is inclusive, `until` exclusive. Storing HTTP events
 * also counts them per minute for the traffic chart (traffic.ts), in the same transaction.
 */
import type { SecurityEvent } from '../../core/records/index.js';
import { epochMsOf, fromJsonText, toJsonText } from '../columns.js';
import { pageParams, toPage } from '../pagination.js';
import { countOf, type StoreContext } from '../record-table.js';
import type { EventQuery, Store } from '../store.js';
import { countTraffic, MINUTE_MS, purgeTrafficBefore, trafficBuckets } from './traffic.js';

/**
 * Inserts the events whose id is not stored yet, in one transaction; an id already stored
 * (or repeated in the batch) is skipped, not an error, so a source may resend a batch.
 * Returns the ids this call stored, in batch order.
 */
async function insertNewEvents(ctx: StoreContext, events: readonly SecurityEvent[]): Promise<string[]> {
  if (events.length === 0) return [];
  const rows = events.map((event) => ({
    id: event.id,
    time_ms: epochMsOf(event.time, 'event.time'),
    kind: event.kind,
    client_ip: event.client?.ip ?? null,
    record: toJsonText(event, 'The event'),
  }));
  const inserted = await ctx.db.transaction().execute(async (trx) => {
    const ids: string[] = [];
    for (let start = 0; start < rows.length; start += ctx.adapter.maxRowsPerInsert) {
      const stored = await trx
        .insertInto('events')
        .values(rows.slice(start, start + ctx.adapter.maxRowsPerInsert))
        .onConflict((conflict) => conflict.column('id').doNothing())
        .returning('id')
        .execute();
      for (const row of stored) ids.push(row.id);
    }
    const stored = new Set(ids);
    await countTraffic(
      trx,
      events.filter((event) => stored.delete(event.id)),
    );
    return ids;
  });
  // RETURNING gives no order guarantee on PostgreSQL; callers read the ids in batch order.
  const stored = new Set(inserted);
  return events.map((event) => event.id).filter((id) => stored.delete(id));
}

export function eventsCollection(ctx: StoreContext): Store['events'] {
  const { db } = ctx;
  return {
    async insertMany(events) {
      return (await insertNewEvents(ctx, events)).length;
    },

    insertNew: (events) => insertNewEvents(ctx, events),

    async get(id) {
      const row = await db.selectFrom('events').select('record').where('id', '=', id).executeTakeFirst();
      return row === undefined ? undefined : fromJsonText<SecurityEvent>(row.record);
    },

    async list(query: EventQuery) {
      const { limit, beforeId } = pageParams(query);
      let select = db
        .selectFrom('events')
        .select(['id', 'record'])
        .orderBy('id', 'desc')
        .limit(limit + 1);
      if (beforeId !== undefined) select = select.where('id', '<', beforeId);
      if (query.kind !== undefined) select = select.where('kind', '=', query.kind);
      if (query.clientIp !== undefined) select = select.where('client_ip', '=', query.clientIp);
      if (query.since !== undefined) select = select.where('time_ms', '>=', epochMsOf(query.since, 'since'));
      if (query.until !== undefined) select = select.where('time_ms', '<', epochMsOf(query.until, 'until'));
      return toPage(await select.execute(), limit, (row) => fromJsonText<SecurityEvent>(row.record));
    },

    async purgeBefore(isoTime) {
      const beforeMs = epochMsOf(isoTime, 'purge time');
      const result = await db.deleteFrom('events').where('time_ms', '<', beforeMs).executeTakeFirst();
      // Whole minutes only: the minute the cut falls in keeps its count.
      await purgeTrafficBefore(db, Math.floor(beforeMs / MINUTE_MS) * MINUTE_MS);
      return Number(result.numDeletedRows);
    },

    trafficBuckets: (sinceMs, untilMs, bucketMs) => trafficBuckets(db, sinceMs, untilMs, bucketMs),

    async count() {
      return countOf(
        await db
          .selectFrom('events')
          .select((eb) => eb.fn.countAll().as('n'))
          .executeTakeFirst(),
      );
    },
  };
}
