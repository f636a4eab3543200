/**
 * Decisions gateways enforce (store layer). A decision is in force while `expiresAt` is null
 * or later than the instant asked about; gateways load every one in force at once.
 */
import type { Decision } from '../../core/records/index.js';
import { epochMsOf, fromJsonText, optionalEpochMsOf, toJsonText } from '../columns.js';
import { pageParams, toPage } from '../pagination.js';
import { changedAny, runWrite, type StoreContext } from '../record-table.js';
import type { DecisionQuery, Store } from '../store.js';
import { sql } from 'kysely';

export function decisionsCollection(ctx: StoreContext): Store['decisions'] {
  const { db } = ctx;

  function inForceAt(isoTime: string, field: string) {
    const atMs = epochMsOf(isoTime, field);
    return db
      .selectFrom('decisions')
      .select(['id', 'record'])
      .where((eb) => eb.or([eb('expires_ms', 'is', null), eb('expires_ms', '>', atMs)]));
  }

  async function lastChangeSeq(): Promise<number> {
    const row = await db
      .selectFrom('decision_changes')
      .select((eb) => eb.fn.max('seq').as('last'))
      .executeTakeFirst();
    return row?.last === null || row?.last === undefined ? 0 : Number(row.last);
  }

  /**
   * Numbers a change in the same transaction as the decision. The ledger's append lock is
   * taken first (the ledger takes it again when the entry is appended, which is allowed), so
   * seqs are handed out one writer at a time and a seq is never visible before a smaller one:
   * a follower's cursor can never step over a change that commits late.
   */
  async function recordChange(decisionId: string, kind: 'created' | 'deleted'): Promise<void> {
    for (const statement of ctx.adapter.ledgerAppendLock) await sql.raw(statement).execute(db);
    const seq = (await lastChangeSeq()) + 1;
    await db
      .insertInto('decision_changes')
      .values({ seq, decision_id: decisionId, kind, time_ms: Date.now() })
      .execute();
  }

  return {
    async insert(decision) {
      await runWrite(ctx, { unique: `Decision ${decision.id} already exists.` }, async () => {
        await db
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
          .execute();
        await recordChange(decision.id, 'created');
      });
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
      const deleted = changedAny(await db.deleteFrom('decisions').where('id', '=', id).executeTakeFirst());
      if (deleted) await recordChange(id, 'deleted');
      return deleted;
    },

    lastChangeSeq,

    async changesAfter(seq, limit) {
      const rows = await db
        .selectFrom('decision_changes as c')
        .leftJoin('decisions as d', 'd.id', 'c.decision_id')
        .select(['c.seq', 'c.kind', 'c.decision_id', 'd.record'])
        .where('c.seq', '>', seq)
        .orderBy('c.seq')
        .limit(limit)
        .execute();
      return rows.map((row) => ({
        seq: Number(row.seq),
        kind: row.kind,
        decisionId: row.decision_id,
        ...(row.kind === 'created' && row.record !== null
          ? { decision: fromJsonText<Decision>(row.record) }
          : {}),
      }));
    },

    async expiredBetween(afterMs, untilMs) {
      const rows = await db
        .selectFrom('decisions')
        .select('id')
        .where('expires_ms', '>', afterMs)
        .where('expires_ms', '<=', untilMs)
        .execute();
      return rows.map((row) => row.id);
    },
  };
}
