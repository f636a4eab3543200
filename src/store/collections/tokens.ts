/**
 * API tokens (store layer): only their SHA-256 is kept. Revoking is idempotent and keeps
 * the first revocation time; `touch` records the last use without ever undoing a revoke.
 */
import { EnsuresecError } from '../../core/errors.js';
import { fromJsonText, toJsonText } from '../columns.js';
import { pageParams, toPage } from '../pagination.js';
import { changedAny, runWrite, swapRecord, type StoreContext } from '../record-table.js';
import type { PageRequest, Store, TokenRecord } from '../store.js';

export function tokensCollection(ctx: StoreContext): Store['tokens'] {
  const { db } = ctx;
  const readRow = (id: string) =>
    db.selectFrom('api_tokens').select('record').where('id', '=', id).executeTakeFirst();

  function change(id: string, edit: (current: TokenRecord) => TokenRecord): Promise<TokenRecord | undefined> {
    return swapRecord<TokenRecord>(
      () => readRow(id),
      async (previousText, next) =>
        changedAny(
          await db
            .updateTable('api_tokens')
            .set({ record: toJsonText(next, 'The token') })
            .where('id', '=', id)
            .where('record', '=', previousText)
            .executeTakeFirst(),
        ),
      edit,
    );
  }

  return {
    async insert(token) {
      const details = {
        unique: `Token ${token.id} (or one with the same hash) already exists.`,
        foreignKey: `User ${token.userId} does not exist.`,
      };
      await runWrite(ctx, details, () =>
        db
          .insertInto('api_tokens')
          .values({
            id: token.id,
            user_id: token.userId,
            token_hash: token.tokenHash,
            record: toJsonText(token, 'The token'),
          })
          .execute(),
      );
    },

    async get(id) {
      const row = await readRow(id);
      return row === undefined ? undefined : fromJsonText<TokenRecord>(row.record);
    },

    async getByHash(tokenHash) {
      const row = await db
        .selectFrom('api_tokens')
        .select('record')
        .where('token_hash', '=', tokenHash)
        .executeTakeFirst();
      return row === undefined ? undefined : fromJsonText<TokenRecord>(row.record);
    },

    async list(query: PageRequest & { userId?: string }) {
      const { limit, beforeId } = pageParams(query);
      let select = db
        .selectFrom('api_tokens')
        .select(['id', 'record'])
        .orderBy('id', 'desc')
        .limit(limit + 1);
      if (beforeId !== undefined) select = select.where('id', '<', beforeId);
      if (query.userId !== undefined) select = select.where('user_id', '=', query.userId);
      return toPage(await select.execute(), limit, (row) => fromJsonText<TokenRecord>(row.record));
    },

    async revoke(id, isoTime) {
      const token = await change(id, (current) =>
        current.revokedAt === null ? { ...current, revokedAt: isoTime } : current,
      );
      return token !== undefined;
    },

    async touch(id, isoTime) {
      try {
        await change(id, (current) => ({ ...current, lastUsedAt: isoTime }));
      } catch (error) {
        // Only losing a race to other writes of this token: a use at about the same time
        // was recorded by one of them, and `lastUsedAt` is advisory.
        if (!(error instanceof EnsuresecError && error.code === 'conflict')) throw error;
      }
    },
  };
}
