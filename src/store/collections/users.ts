/** Accounts of the API and dashboard (store layer); names are unique. */
import { fromJsonText, toJsonText } from '../columns.js';
import { pageParams, toPage } from '../pagination.js';
import { changedAny, countOf, runWrite, type StoreContext } from '../record-table.js';
import type { PageRequest, Store, UserRecord } from '../store.js';

export function usersCollection(ctx: StoreContext): Store['users'] {
  const { db } = ctx;
  const taken = (user: UserRecord) => ({
    unique: `A user named ${JSON.stringify(user.name)} (or id ${user.id}) already exists.`,
  });
  return {
    async insert(user) {
      await runWrite(ctx, taken(user), () =>
        db
          .insertInto('users')
          .values({ id: user.id, name: user.name, record: toJsonText(user, 'The user') })
          .execute(),
      );
    },

    async get(id) {
      const row = await db.selectFrom('users').select('record').where('id', '=', id).executeTakeFirst();
      return row === undefined ? undefined : fromJsonText<UserRecord>(row.record);
    },

    async getByName(name) {
      const row = await db.selectFrom('users').select('record').where('name', '=', name).executeTakeFirst();
      return row === undefined ? undefined : fromJsonText<UserRecord>(row.record);
    },

    async list(query: PageRequest) {
      const { limit, beforeId } = pageParams(query);
      let select = db
        .selectFrom('users')
        .select(['id', 'record'])
        .orderBy('id', 'desc')
        .limit(limit + 1);
      if (beforeId !== undefined) select = select.where('id', '<', beforeId);
      return toPage(await select.execute(), limit, (row) => fromJsonText<UserRecord>(row.record));
    },

    async update(user) {
      const result = await runWrite(ctx, taken(user), () =>
        db
          .updateTable('users')
          .set({ name: user.name, record: toJsonText(user, 'The user') })
          .where('id', '=', user.id)
          .executeTakeFirst(),
      );
      return changedAny(result) ? user : undefined;
    },

    async count() {
      return countOf(
        await db
          .selectFrom('users')
          .select((eb) => eb.fn.countAll().as('n'))
          .executeTakeFirst(),
      );
    },
  };
}
