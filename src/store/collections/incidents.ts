/** Incidents (store layer): cases that gather alerts; updated whole by the incidents stage. */
import type { Incident } from '../../core/records/index.js';
import { fromJsonText, toJsonText } from '../columns.js';
import { pageParams, toPage } from '../pagination.js';
import { changedAny, runWrite, type StoreContext } from '../record-table.js';
import type { IncidentQuery, Store } from '../store.js';

export function incidentsCollection(ctx: StoreContext): Store['incidents'] {
  const { db } = ctx;
  return {
    async insert(incident) {
      await runWrite(ctx, { unique: `Incident ${incident.id} already exists.` }, () =>
        db
          .insertInto('incidents')
          .values({ id: incident.id, status: incident.status, record: toJsonText(incident, 'The incident') })
          .execute(),
      );
    },

    async get(id) {
      const row = await db.selectFrom('incidents').select('record').where('id', '=', id).executeTakeFirst();
      return row === undefined ? undefined : fromJsonText<Incident>(row.record);
    },

    async list(query: IncidentQuery) {
      const { limit, beforeId } = pageParams(query);
      let select = db
        .selectFrom('incidents')
        .select(['id', 'record'])
        .orderBy('id', 'desc')
        .limit(limit + 1);
      if (beforeId !== undefined) select = select.where('id', '<', beforeId);
      if (query.status !== undefined) select = select.where('status', '=', query.status);
      return toPage(await select.execute(), limit, (row) => fromJsonText<Incident>(row.record));
    },

    async update(incident) {
      const result = await db
        .updateTable('incidents')
        .set({ status: incident.status, record: toJsonText(incident, 'The incident') })
        .where('id', '=', incident.id)
        .executeTakeFirst();
      return changedAny(result) ? incident : undefined;
    },
  };
}
