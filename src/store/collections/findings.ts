/** Scanner findings (store layer), listed per target and status. */
import type { Finding } from '../../core/records/index.js';
import { fromJsonText, toJsonText } from '../columns.js';
import { pageParams, toPage } from '../pagination.js';
import { runWrite, type StoreContext } from '../record-table.js';
import type { FindingQuery, Store } from '../store.js';

export function findingsCollection(ctx: StoreContext): Store['findings'] {
  const { db } = ctx;
  return {
    async insert(finding) {
      await runWrite(ctx, { unique: `Finding ${finding.id} already exists.` }, () =>
        db
          .insertInto('findings')
          .values({
            id: finding.id,
            target: finding.target,
            status: finding.status,
            record: toJsonText(finding, 'The finding'),
          })
          .execute(),
      );
    },

    async get(id) {
      const row = await db.selectFrom('findings').select('record').where('id', '=', id).executeTakeFirst();
      return row === undefined ? undefined : fromJsonText<Finding>(row.record);
    },

    async list(query: FindingQuery) {
      const { limit, beforeId } = pageParams(query);
      let select = db
        .selectFrom('findings')
        .select(['id', 'record'])
        .orderBy('id', 'desc')
        .limit(limit + 1);
      if (beforeId !== undefined) select = select.where('id', '<', beforeId);
      if (query.target !== undefined) select = select.where('target', '=', query.target);
      if (query.status !== undefined) select = select.where('status', '=', query.status);
      return toPage(await select.execute(), limit, (row) => fromJsonText<Finding>(row.record));
    },
  };
}
