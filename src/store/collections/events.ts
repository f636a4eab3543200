/**
 * Raw security events (store layer): written in batches by ingest, read by the API and
 * detectors, purged by retention. `since` is inclusive, `until` exclusive. Storing HTTP events
 * also counts them per minute for the traffic chart (traffic.ts), in the same transaction.
 */
import { CompiledQuery, type Transaction } from 'kysely';
import type { SecurityEvent } from '../../core/records/index.js';
import { epochMsOf, fromJsonText, toJsonText } from '../columns.js';
import { pageParams, toPage } from '../pagination.js';
import { countOf, type StoreContext } from '../record-table.js';
import type { StoreDatabase } from '../schema.js';
import type { EventQuery, Store } from '../store.js';
import { countTraffic, MINUTE_MS, purgeTrafficBefore, trafficBuckets } from './traffic.js';

/**
 * The INSERT of `rows` events as the dialect's SQL, compiled by Kysely once per row count and
 * then only bound afresh: building and compiling a query of hundreds of rows per batch cost
 * as much as SQLite storing them. Batches are cut into chunks of a few fixed sizes (powers of
 * two up to `maxRowsPerInsert`), so a handful of statements serve every batch.
 */
class EventInsertStatements {
  private readonly sqlByRows = new Map<number, string>();

  constructor(private readonly maxRows: number) {}

  /** The chunk sizes for `count` rows: the largest allowed size first, then powers of two. */
  chunks(count: number): number[] {
    const out: number[] = [];
    let rest = count;
    while (rest >= this.maxRows) {
      out.push(this.maxRows);
      rest -= this.maxRows;
    }
    for (let size = 2 ** Math.floor(Math.log2(this.maxRows)); size >= 1 && rest > 0; size /= 2) {
      if (rest >= size) {
        out.push(size);
        rest -= size;
      }
    }
    return out;
  }

  compiled(trx: Transaction<StoreDatabase>, rows: readonly EventRow[]): CompiledQuery<{ id: string }> {
    const parameters: unknown[] = [];
    for (const row of rows) parameters.push(row.id, row.time_ms, row.kind, row.client_ip, row.record);
    let sqlText = this.sqlByRows.get(rows.length);
    if (sqlText === undefined) {
      const query = trx
        .insertInto('events')
        .values([...rows])
        .onConflict((conflict) => conflict.column('id').doNothing())
        .returning('id')
        .compile();
      // Reuse the text only if Kysely binds exactly the values in our order (it does today).
      if (!sameValues(query.parameters, parameters)) return query;
      sqlText = query.sql;
      this.sqlByRows.set(rows.length, sqlText);
    }
    return CompiledQuery.raw(sqlText, parameters) as CompiledQuery<{ id: string }>;
  }
}

/** One row of `events`, its keys in the order the INSERT binds them. */
interface EventRow {
  id: string;
  time_ms: number;
  kind: string;
  client_ip: string | null;
  record: string;
}

function sameValues(a: readonly unknown[], b: readonly unknown[]): boolean {
  return a.length === b.length && a.every((value, i) => value === b[i]);
}

/**
 * Inserts the events whose id is not stored yet, in one transaction; an id already stored
 * (or repeated in the batch) is skipped, not an error, so a source may resend a batch.
 * Returns the ids this call stored, in batch order. `records`, when given, holds each
 * event's `JSON.stringify` text (a caller that already serialised them, such as the delivery
 * source's journal, saves doing it twice).
 */
async function insertNewEvents(
  ctx: StoreContext,
  statements: EventInsertStatements,
  events: readonly SecurityEvent[],
  records?: readonly string[],
): Promise<string[]> {
  if (events.length === 0) return [];
  if (records !== undefined && records.length !== events.length) {
    throw new RangeError(`${records.length} records for ${events.length} events`);
  }
  const rows: EventRow[] = events.map((event, i) => ({
    id: event.id,
    time_ms: epochMsOf(event.time, 'event.time'),
    kind: event.kind,
    client_ip: event.client?.ip ?? null,
    record: records?.[i] ?? toJsonText(event, 'The event'),
  }));
  const inserted = await ctx.db.transaction().execute(async (trx) => {
    const ids: string[] = [];
    let start = 0;
    for (const size of statements.chunks(rows.length)) {
      const { rows: stored } = await trx.executeQuery(
        statements.compiled(trx, rows.slice(start, start + size)),
      );
      start += size;
      for (const row of stored) ids.push(row.id);
    }
    // As many rows stored as events given: every event was new, and no id came twice (the
    // usual batch, spared two sets and two filters).
    if (ids.length === events.length) {
      await countTraffic(trx, events);
      return null;
    }
    const stored = new Set(ids);
    await countTraffic(
      trx,
      events.filter((event) => stored.delete(event.id)),
    );
    return ids;
  });
  if (inserted === null) return events.map((event) => event.id);
  // RETURNING gives no order guarantee on PostgreSQL; callers read the ids in batch order.
  const stored = new Set(inserted);
  return events.map((event) => event.id).filter((id) => stored.delete(id));
}

export function eventsCollection(ctx: StoreContext): Store['events'] {
  const { db } = ctx;
  const statements = new EventInsertStatements(ctx.adapter.maxRowsPerInsert);
  return {
    async insertMany(events) {
      return (await insertNewEvents(ctx, statements, events)).length;
    },

    insertNew: (events, options) => insertNewEvents(ctx, statements, events, options?.records),

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
