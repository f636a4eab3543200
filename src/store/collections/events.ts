/**
 * Raw security events (store layer): written in batches by ingest, read by the API and
 * detectors, purged by retention. `since` is inclusive, `until` exclusive.
 */
import type { SecurityEvent } from '../../core/records/index.js';
import { epochMsOf, fromJsonText, toJsonText } from '../columns.js';
import { pageParams, toPage } from '../pagination.js';
import { countOf, runWrite, type StoreContext } from '../record-table.js';
import type { EventQuery, Store } from '../store.js';

export function eventsCollection(ctx: StoreContext): Store['events'] {
  const { db } = ctx;
  return {
    async insertMany(events) {
      if (events.length === 0) return;
      const rows = events.map((event) => ({
        id: event.id,
        time_ms: epochMsOf(event.time, 'event.time'),
        kind: event.kind,
        client_ip: event.client?.ip ?? null,
        record: toJsonText(event, 'The event'),
      }));
      await runWrite(ctx, { unique: 'An event with one of these ids already exists.' }, () =>
        db.transaction().execute(async (trx) => {
          for (let start = 0; start < rows.length; start += ctx.adapter.maxRowsPerInsert) {
            await trx
              .insertInto('events')
              .values(rows.slice(start, start + ctx.adapter.maxRowsPerInsert))
              .execute();
          }
        }),
      );
    },

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
      const result = await db
        .deleteFrom('events')
        .where('time_ms', '<', epochMsOf(isoTime, 'purge time'))
        .executeTakeFirst();
      return Number(result.numDeletedRows);
    },

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
