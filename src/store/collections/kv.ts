/** Small settings and state as JSON values (store layer), e.g. `bootstrap.completed`. */
import { EnsuresecError } from '../../core/errors.js';
import { fromJsonText, toJsonText } from '../columns.js';
import type { StoreContext } from '../record-table.js';
import type { Store } from '../store.js';

const MAX_KEY_CHARS = 256;

function checkKey(key: string): void {
  if (typeof key !== 'string' || key.length === 0 || key.length > MAX_KEY_CHARS) {
    throw new EnsuresecError('validation_failed', {
      detail: `A setting key must be 1..${MAX_KEY_CHARS} characters.`,
    });
  }
}

export function kvCollection(ctx: StoreContext): Store['kv'] {
  const { db } = ctx;
  return {
    async get<T = unknown>(key: string) {
      checkKey(key);
      const row = await db.selectFrom('kv').select('value').where('key', '=', key).executeTakeFirst();
      return row === undefined ? undefined : fromJsonText<T>(row.value);
    },

    async set(key, value) {
      checkKey(key);
      const text = toJsonText(value, `The value of ${key}`);
      await db
        .insertInto('kv')
        .values({ key, value: text })
        .onConflict((conflict) => conflict.column('key').doUpdateSet({ value: text }))
        .execute();
    },
  };
}
