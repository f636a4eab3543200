/**
 * Login sessions of the dashboard (store layer), keyed by the hash of the cookie. `get`
 * returns a session even past its expiry (the caller compares `expiresAt` with its clock);
 * `deleteExpired` removes those whose `expiresAt` is at or before the instant.
 */
import { epochMsOf, fromJsonText, toJsonText } from '../columns.js';
import { runWrite, type StoreContext } from '../record-table.js';
import type { SessionRecord, Store } from '../store.js';

export function sessionsCollection(ctx: StoreContext): Store['sessions'] {
  const { db } = ctx;
  return {
    async insert(session) {
      const details = {
        unique: 'This session already exists.',
        foreignKey: `User ${session.userId} does not exist.`,
      };
      await runWrite(ctx, details, () =>
        db
          .insertInto('sessions')
          .values({
            id_hash: session.idHash,
            user_id: session.userId,
            expires_ms: epochMsOf(session.expiresAt, 'session.expiresAt'),
            record: toJsonText(session, 'The session'),
          })
          .execute(),
      );
    },

    async get(idHash) {
      const row = await db
        .selectFrom('sessions')
        .select('record')
        .where('id_hash', '=', idHash)
        .executeTakeFirst();
      return row === undefined ? undefined : fromJsonText<SessionRecord>(row.record);
    },

    async delete(idHash) {
      await db.deleteFrom('sessions').where('id_hash', '=', idHash).execute();
    },

    async deleteExpired(isoTime) {
      const result = await db
        .deleteFrom('sessions')
        .where('expires_ms', '<=', epochMsOf(isoTime, 'isoTime'))
        .executeTakeFirst();
      return Number(result.numDeletedRows);
    },

    async deleteForUser(userId, keepIdHash) {
      let query = db.deleteFrom('sessions').where('user_id', '=', userId);
      if (keepIdHash !== undefined) query = query.where('id_hash', '!=', keepIdHash);
      const result = await query.executeTakeFirst();
      return Number(result.numDeletedRows);
    },
  };
}
