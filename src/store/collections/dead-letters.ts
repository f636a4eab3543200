/**
 * Dead letters (store layer): sampled inputs the sources refused, written in batches by the
 * ingest stage's sink, listed by the API newest first, purged by retention.
 */
import { epochMsOf, fromJsonText, toJsonText } from '../columns.js';
import { pageParams, toPage } from '../pagination.js';
import { countOf, runWrite, type StoreContext } from '../record-table.js';
import type { DeadLetterQuery, DeadLetterRecord, Store } from '../store.js';

export function deadLettersCollection(ctx: StoreContext): Store['deadLetters'] {
  const { db } = ctx;
  return {
    async insertMany(letters) {
      if (letters.length === 0) return;
      const rows = letters.map((letter) => ({
        id: letter.id,
        time_ms: epochMsOf(letter.time, 'deadLetter.time'),
        source: letter.source,
        reason: letter.reason,
        record: toJsonText(letter, 'The dead letter'),
      }));
      await runWrite(ctx, { unique: 'A dead letter with one of these ids already exists.' }, () =>
        db.transaction().execute(async (trx) => {
          for (let start = 0; start < rows.length; start += ctx.adapter.maxRowsPerInsert) {
            await trx
              .insertInto('dead_letters')
              .values(rows.slice(start, start + ctx.adapter.maxRowsPerInsert))
              .execute();
          }
        }),
      );
    },

    async list(query: DeadLetterQuery) {
      const { limit, beforeId } = pageParams(query);
      let select = db
        .selectFrom('dead_letters')
        .select(['id', 'record'])
        .orderBy('id', 'desc')
        .limit(limit + 1);
      if (beforeId !== undefined) select = select.where('id', '<', beforeId);
      if (query.source !== undefined) select = select.where('source', '=', query.source);
      if (query.reason !== undefined) select = select.where('reason', '=', query.reason);
      return toPage(await select.execute(), limit, (row) => fromJsonText<DeadLetterRecord>(row.record));
    },

    async count(filter = {}) {
      let select = db.selectFrom('dead_letters').select((eb) => eb.fn.countAll().as('n'));
      if (filter.source !== undefined) select = select.where('source', '=', filter.source);
      if (filter.reason !== undefined) select = select.where('reason', '=', filter.reason);
      return countOf(await select.executeTakeFirst());
    },

    async purgeBefore(isoTime) {
      const result = await db
        .deleteFrom('dead_letters')
        .where('time_ms', '<', epochMsOf(isoTime, 'purge time'))
        .executeTakeFirst();
      return Number(result.numDeletedRows);
    },
  };
}
