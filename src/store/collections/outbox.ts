/**
 * The persistent outbox of notices (store layer). Delivery state lives in columns so that
 * claiming and settling are single conditional UPDATEs, safe with several processes on
 * PostgreSQL (a row changed by one claimer no longer matches the other's condition) and
 * trivially so on SQLite; what is sent lives in `record` as JSON.
 */
import type { ExpressionBuilder } from 'kysely';
import { fromJsonText, toJsonText } from '../columns.js';
import { pageParams, toPage } from '../pagination.js';
import { changedAny, runWrite, type StoreContext } from '../record-table.js';
import type { OutboxTable, StoreDatabase } from '../schema.js';
import type { OutboxCollection, OutboxMessage, OutboxQuery } from '../store.js';

/** The parts of a message that never change once queued (the row's `record`). */
type StoredPart = Pick<
  OutboxMessage,
  'id' | 'idempotencyKey' | 'channel' | 'audience' | 'reference' | 'recipient' | 'partnerId' | 'content'
>;

const iso = (ms: number | string | null): string | null =>
  ms === null ? null : new Date(Number(ms)).toISOString();

function messageOf(row: OutboxTable): OutboxMessage {
  const stored = fromJsonText<StoredPart>(row.record);
  return {
    ...stored,
    status: row.status as OutboxMessage['status'],
    attempts: Number(row.attempts),
    createdAt: iso(row.created_ms) as string,
    updatedAt: iso(row.updated_ms) as string,
    nextAttemptAt: iso(row.next_attempt_ms) as string,
    lastError: row.last_error,
    deliveredAt: iso(row.delivered_ms),
  };
}

/** Due at `nowMs`: waiting and due, or claimed by a worker whose lease ran out (it crashed). */
function dueAt(nowMs: number) {
  return (eb: ExpressionBuilder<StoreDatabase, 'outbox'>) =>
    eb.or([
      eb.and([eb('status', 'in', ['pending', 'failed']), eb('next_attempt_ms', '<=', nowMs)]),
      eb.and([eb('status', '=', 'sending'), eb('lease_until_ms', '<=', nowMs)]),
    ]);
}

export function outboxCollection(ctx: StoreContext): OutboxCollection {
  const { db } = ctx;
  const getRow = (id: string) => db.selectFrom('outbox').selectAll().where('id', '=', id).executeTakeFirst();

  return {
    async enqueue(message) {
      const stored: StoredPart = {
        id: message.id,
        idempotencyKey: message.idempotencyKey,
        channel: message.channel,
        audience: message.audience,
        reference: message.reference,
        recipient: message.recipient,
        partnerId: message.partnerId,
        content: message.content,
      };
      const createdMs = Date.parse(message.createdAt);
      const result = await runWrite(ctx, { unique: `Notice ${message.id} already exists.` }, () =>
        db
          .insertInto('outbox')
          .values({
            id: message.id,
            idempotency_key: message.idempotencyKey,
            channel: message.channel,
            audience: message.audience,
            reference: message.reference,
            status: message.status,
            attempts: message.attempts,
            created_ms: createdMs,
            updated_ms: Date.parse(message.updatedAt),
            next_attempt_ms: Date.parse(message.nextAttemptAt),
            lease_token: null,
            lease_until_ms: null,
            delivered_ms: null,
            last_error: message.lastError,
            record: toJsonText(stored, `The notice ${message.id}`),
          })
          .onConflict((conflict) => conflict.column('idempotency_key').doNothing())
          .executeTakeFirst(),
      );
      return Number(result.numInsertedOrUpdatedRows ?? 0n) > 0;
    },

    async get(id) {
      const row = await getRow(id);
      return row === undefined ? undefined : messageOf(row);
    },

    async list(query: OutboxQuery) {
      const { limit, beforeId } = pageParams(query);
      let select = db
        .selectFrom('outbox')
        .selectAll()
        .orderBy('id', 'desc')
        .limit(limit + 1);
      if (beforeId !== undefined) select = select.where('id', '<', beforeId);
      if (query.status !== undefined) select = select.where('status', '=', query.status);
      if (query.channel !== undefined) select = select.where('channel', '=', query.channel);
      if (query.audience !== undefined) select = select.where('audience', '=', query.audience);
      if (query.reference !== undefined) select = select.where('reference', '=', query.reference);
      return toPage(await select.execute(), limit, messageOf);
    },

    async claimDue({ nowMs, limit, leaseMs, leaseToken }) {
      const candidates = await db
        .selectFrom('outbox')
        .select('id')
        .where(dueAt(nowMs))
        .orderBy('next_attempt_ms')
        .orderBy('id')
        .limit(limit)
        .execute();
      const claimed: OutboxMessage[] = [];
      for (const { id } of candidates) {
        // The condition is checked again by the UPDATE itself: whoever changed the row first wins.
        const result = await db
          .updateTable('outbox')
          .set((eb) => ({
            status: 'sending',
            lease_token: leaseToken,
            lease_until_ms: nowMs + leaseMs,
            attempts: eb('attempts', '+', 1),
            updated_ms: nowMs,
          }))
          .where('id', '=', id)
          .where(dueAt(nowMs))
          .executeTakeFirst();
        if (!changedAny(result)) continue;
        const row = await getRow(id);
        if (row !== undefined && row.lease_token === leaseToken) claimed.push(messageOf(row));
      }
      return claimed;
    },

    async settle(id, leaseToken, outcome) {
      const row = await getRow(id);
      if (row === undefined || row.status !== 'sending' || row.lease_token !== leaseToken) return undefined;
      const base = {
        status: outcome.status,
        lease_token: null,
        lease_until_ms: null,
        updated_ms: outcome.atMs,
      };
      let values;
      if (outcome.status === 'delivered') {
        const stored = fromJsonText<StoredPart>(row.record);
        values = {
          ...base,
          delivered_ms: outcome.atMs,
          last_error: null,
          record: toJsonText(
            { ...stored, content: null, recipient: outcome.recipient ?? stored.recipient },
            `The notice ${id}`,
          ),
        };
      } else if (outcome.status === 'failed') {
        values = { ...base, last_error: outcome.error, next_attempt_ms: outcome.nextAttemptMs };
      } else {
        values = { ...base, last_error: outcome.error };
      }
      const result = await db
        .updateTable('outbox')
        .set(values)
        .where('id', '=', id)
        .where('status', '=', 'sending')
        .where('lease_token', '=', leaseToken)
        .executeTakeFirst();
      if (!changedAny(result)) return undefined;
      const after = await getRow(id);
      return after === undefined ? undefined : messageOf(after);
    },

    async requeue(id, nowMs) {
      const result = await db
        .updateTable('outbox')
        .set({ status: 'pending', next_attempt_ms: nowMs, updated_ms: nowMs })
        .where('id', '=', id)
        .where('status', 'in', ['failed', 'dead'])
        .executeTakeFirst();
      if (!changedAny(result)) return undefined;
      const row = await getRow(id);
      return row === undefined ? undefined : messageOf(row);
    },
  };
}
