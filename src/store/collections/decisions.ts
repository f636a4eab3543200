/**
 * Decisions gateways enforce (store layer). A decision is in force while `expiresAt` is null
 * or later than the instant asked about; gateways load every one in force at once.
 */
import type { Decision } from '../../core/records/index.js';
import { epochMsOf, fromJsonText, optionalEpochMsOf, toJsonText } from '../columns.js';
import { pageParams, toPage } from '../pagination.js';
import { changedAny, runWrite, type StoreContext } from '../record-table.js';
import type { DecisionQuery, Store } from '../store.js';

export function decisionsCollection(ctx: StoreContext): Store['decisions'] {
  const { db } = ctx;

  function inForceAt(isoTime: string, field: string) {
    const atMs = epochMsOf(isoTime, field);
    return db
      .selectFrom('decisions')
      .select(['id', 'record'])
      .where((eb) => eb.or([eb('expires_ms', 'is', null), eb('expires_ms', '>', atMs)]));
  }

  return {
    async insert(decision) {
      await runWrite(ctx, { unique: `Decision ${decision.id} already exists.` }, () =>
        db
          .insertInto('decisions')
          .values({
            id: decision.id,
            created_ms: epochMsOf(decision.createdAt, 'decision.createdAt'),
            expires_ms: optionalEpochMsOf(decision.expiresAt, 'decision.expiresAt'),
            action: decision.action,
            scope: decision.scope,
            value: decision.value,
            origin: decision.origin,
            record: toJsonText(decision, 'The decision'),
          })
          .execute(),
      );
    },

    async get(id) {
      const row = await db.selectFrom('decisions').select('record').where('id', '=', id).executeTakeFirst();
      return row === undefined ? undefined : fromJsonText<Decision>(row.record);
    },

    async list(query: DecisionQuery) {
      const { limit, beforeId } = pageParams(query);
      let select =
        query.activeAt === undefined
          ? db.selectFrom('decisions').select(['id', 'record'])
          : inForceAt(query.activeAt, 'activeAt');
      select = select.orderBy('id', 'desc').limit(limit + 1);
      if (beforeId !== undefined) select = select.where('id', '<', beforeId);
      if (query.scope !== undefined) select = select.where('scope', '=', query.scope);
      if (query.value !== undefined) select = select.where('value', '=', query.value);
      if (query.action !== undefined) select = select.where('action', '=', query.action);
      if (query.origin !== undefined) select = select.where('origin', '=', query.origin);
      return toPage(await select.execute(), limit, (row) => fromJsonText<Decision>(row.record));
    },

    async listActive(isoTime) {
      const rows = await inForceAt(isoTime, 'isoTime').orderBy('id', 'desc').execute();
      return rows.map((row) => fromJsonText<Decision>(row.record));
    },

    async delete(id) {
      return changedAny(await db.deleteFrom('decisions').where('id', '=', id).executeTakeFirst());
    },
  };
}
