/** The WAF's persistent collections (store layer): one row per (collection, key), variables as JSON. */
import { fromJsonText, toJsonText } from '../columns.js';
import type { StoreContext } from '../record-table.js';
import type { Store, WafCollectionRecord } from '../store.js';

/** Rows per insert statement (4 parameters each, far below SQLite's and PostgreSQL's limits). */
const CHUNK = 500;

export function wafCollectionsCollection(ctx: StoreContext): Store['wafCollections'] {
  const { db } = ctx;
  return {
    async listLive(nowMs) {
      const rows = await db
        .selectFrom('waf_collections')
        .select(['collection', 'key', 'variables', 'expires_ms'])
        .where('expires_ms', '>', nowMs)
        .execute();
      return rows.map((row): WafCollectionRecord => ({
        collection: row.collection,
        key: row.key,
        variables: fromJsonText<Record<string, string>>(row.variables),
        expiresMs: Number(row.expires_ms),
      }));
    },

    async upsertMany(records) {
      // One statement per chunk: atomic per statement, and usable inside a store transaction.
      for (let start = 0; start < records.length; start += CHUNK) {
        const rows = records.slice(start, start + CHUNK).map((record) => ({
          collection: record.collection,
          key: record.key,
          variables: toJsonText(record.variables, `WAF collection ${record.collection}`),
          expires_ms: record.expiresMs,
        }));
        await db
          .insertInto('waf_collections')
          .values(rows)
          .onConflict((conflict) =>
            conflict.columns(['collection', 'key']).doUpdateSet((eb) => ({
              variables: eb.ref('excluded.variables'),
              expires_ms: eb.ref('excluded.expires_ms'),
            })),
          )
          .execute();
      }
    },

    async purgeExpired(nowMs) {
      const result = await db
        .deleteFrom('waf_collections')
        .where('expires_ms', '<=', nowMs)
        .executeTakeFirst();
      return Number(result.numDeletedRows);
    },
  };
}
