/**
 * Applies the versioned migrations (store layer), each in its own transaction that also
 * records its name in `ensuresec_migrations`. The dialect adapter makes that transaction
 * exclusive across processes, so two servers starting at once apply each migration once.
 * A failure rolls back that migration and surfaces as `store_migration_failed`.
 */
import { sql, type Kysely } from 'kysely';
import type { Clock } from '../core/clock.js';
import { isoNow } from '../core/clock.js';
import { EnsuresecError } from '../core/errors.js';
import type { DialectAdapter } from './dialect-adapter.js';
import type { Migration } from './migrations/index.js';
import type { StoreDatabase } from './schema.js';

const MIGRATIONS_TABLE = 'ensuresec_migrations';

async function inMigrationTransaction<T>(
  db: Kysely<StoreDatabase>,
  adapter: DialectAdapter,
  work: (connection: Kysely<StoreDatabase>) => Promise<T>,
): Promise<T> {
  return db.connection().execute(async (connection) => {
    for (const statement of adapter.migrationTransactionStart) await sql.raw(statement).execute(connection);
    try {
      const result = await work(connection);
      await sql`commit`.execute(connection);
      return result;
    } catch (error) {
      // The original error matters more than a failed rollback (e.g. a dropped connection).
      await sql`rollback`.execute(connection).catch(() => undefined);
      throw error;
    }
  });
}

function failed(step: string, error: unknown): EnsuresecError {
  if (error instanceof EnsuresecError) return error;
  const reason = error instanceof Error ? error.message : String(error);
  return new EnsuresecError('store_migration_failed', { detail: `${step}: ${reason}`, cause: error });
}

export async function runMigrations(
  db: Kysely<StoreDatabase>,
  adapter: DialectAdapter,
  migrations: readonly Migration[],
  clock: Clock,
): Promise<string[]> {
  let appliedBefore: Set<string>;
  try {
    appliedBefore = await inMigrationTransaction(db, adapter, async (connection) => {
      await connection.schema
        .createTable(MIGRATIONS_TABLE)
        .ifNotExists()
        .addColumn('name', adapter.sortableTextType, (col) => col.primaryKey())
        .addColumn('applied_at', 'text', (col) => col.notNull())
        .execute();
      const rows = await connection.selectFrom(MIGRATIONS_TABLE).select('name').execute();
      return new Set(rows.map((row) => row.name));
    });
  } catch (error) {
    throw failed(MIGRATIONS_TABLE, error);
  }

  const known = new Set(migrations.map((migration) => migration.name));
  const unknown = [...appliedBefore].filter((name) => !known.has(name));
  if (unknown.length > 0) {
    throw new EnsuresecError('store_migration_failed', {
      detail: `The database has migrations this version does not know (${unknown.join(', ')}); it was upgraded by a newer Ensuresec.`,
    });
  }

  const applied: string[] = [];
  for (const migration of migrations) {
    if (appliedBefore.has(migration.name)) continue;
    try {
      const ran = await inMigrationTransaction(db, adapter, async (connection) => {
        // Checked again under the lock: another process may have applied it meanwhile.
        const done = await connection
          .selectFrom(MIGRATIONS_TABLE)
          .select('name')
          .where('name', '=', migration.name)
          .executeTakeFirst();
        if (done !== undefined) return false;
        // Migrations see an untyped database (see Migration), the same connection underneath.
        await migration.up(connection as unknown as Kysely<unknown>, adapter);
        await connection
          .insertInto(MIGRATIONS_TABLE)
          .values({ name: migration.name, applied_at: isoNow(clock) })
          .execute();
        return true;
      });
      if (ran) applied.push(migration.name);
    } catch (error) {
      throw failed(migration.name, error);
    }
  }
  return applied;
}
