/**
 * The store's front door (store layer): the composition root calls `openStore` with the
 * configured dialect, then `store.migrate()` once at start. Nothing is migrated implicitly.
 *
 * @example
 * const store = await openStore({ dialect: 'sqlite', path: join(dataDir, 'ensuresec.db') });
 * await store.migrate();
 */
import { systemClock, type Clock } from '../core/clock.js';
import { EnsuresecError } from '../core/errors.js';
import { openPostgresStore } from './postgres/postgres-store.js';
import { openSqliteStore } from './sqlite/sqlite-store.js';
import type { Store, StoreConfig } from './store.js';

export type * from './store.js';

export interface OpenStoreOptions {
  /** Time source for bookkeeping such as when a migration was applied. */
  clock?: Clock;
}

/**
 * Opens the configured store. Errors: `data_dir_unwritable` (SQLite file or its folder),
 * `not_ready` (PostgreSQL unreachable or refusing), `config_invalid` (bad configuration).
 */
export async function openStore(config: StoreConfig, options: OpenStoreOptions = {}): Promise<Store> {
  const clock = options.clock ?? systemClock;
  switch (config.dialect) {
    case 'sqlite':
      return openSqliteStore(config.path, clock);
    case 'postgres':
      return openPostgresStore(config, clock);
    default:
      throw new EnsuresecError('config_invalid', {
        detail: `store.dialect must be "sqlite" or "postgres", got ${JSON.stringify((config as { dialect?: unknown }).dialect)}.`,
      });
  }
}
