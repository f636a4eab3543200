/** Fail-safe modes in force (store layer): whole records as JSON, keyed by the mode's name. */
import { fromJsonText, optionalEpochMsOf, toJsonText } from '../columns.js';
import type { StoreContext } from '../record-table.js';
import type { ModeRecord, Store } from '../store.js';

export function modesCollection(ctx: StoreContext): Store['modes'] {
  const { db } = ctx;
  return {
    async listActive(nowMs) {
      const rows = await db
        .selectFrom('modes')
        .select('record')
        .where((eb) => eb.or([eb('until_ms', 'is', null), eb('until_ms', '>', nowMs)]))
        .orderBy('name')
        .execute();
      return rows.map((row) => fromJsonText<ModeRecord>(row.record));
    },

    async get(name) {
      const row = await db.selectFrom('modes').select('record').where('name', '=', name).executeTakeFirst();
      return row === undefined ? undefined : fromJsonText<ModeRecord>(row.record);
    },

    async put(record) {
      const values = {
        name: record.name,
        until_ms: optionalEpochMsOf(record.until, 'until'),
        record: toJsonText(record, `The mode ${record.name}`),
      };
      await db
        .insertInto('modes')
        .values(values)
        .onConflict((conflict) =>
          conflict.column('name').doUpdateSet({ until_ms: values.until_ms, record: values.record }),
        )
        .execute();
    },

    async delete(name) {
      const result = await db.deleteFrom('modes').where('name', '=', name).executeTakeFirst();
      return Number(result.numDeletedRows) > 0;
    },
  };
}
