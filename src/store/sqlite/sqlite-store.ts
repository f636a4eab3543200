/**
 * Opens the embedded SQLite store: one file in the data directory (store layer, chosen by
 * the composition root). The file is set up so that a write that resolved survives `kill -9`
 * and power loss: WAL journal with `synchronous = FULL` (every commit is fsynced), a busy
 * timeout for a second process such as the CLI, and foreign keys enforced.
 */
import { existsSync, mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import Database from 'better-sqlite3';
import { Kysely, SqliteDialect } from 'kysely';
import type { Clock } from '../../core/clock.js';
import { EnsuresecError } from '../../core/errors.js';
import { KyselyStore } from '../kysely-store.js';
import type { StoreDatabase } from '../schema.js';
import type { Store } from '../store.js';
import { sqliteAdapter } from './sqlite-adapter.js';

export const SQLITE_BUSY_TIMEOUT_MS = 5_000;
/** Distinct statements kept compiled; the store issues far fewer shapes than this. */
const STATEMENT_CACHE_SIZE = 1_000;

function openFailure(path: string, error: unknown): EnsuresecError {
  const reason = error instanceof Error ? error.message : String(error);
  if ((error as { code?: unknown } | null)?.code === 'SQLITE_BUSY') {
    return new EnsuresecError('not_ready', {
      detail: `The database file ${path} stayed locked by another process for ${SQLITE_BUSY_TIMEOUT_MS} ms; retry.`,
      cause: error,
    });
  }
  return new EnsuresecError('data_dir_unwritable', {
    detail: `Cannot open the database file ${path}: ${reason}`,
    cause: error,
  });
}

/**
 * Creates the missing folders one level at a time. Node's `recursive: true` can spin forever
 * when a level refuses creation with ENOENT (seen under /proc), which would hang start-up.
 */
function createParentFolders(folder: string): void {
  const missing: string[] = [];
  let current = folder;
  while (!existsSync(current)) {
    missing.unshift(current);
    const parent = dirname(current);
    if (parent === current) break;
    current = parent;
  }
  for (const level of missing) mkdirSync(level);
}

/**
 * Kysely prepares every query afresh, and compiling the SQL is a good part of a small write's
 * cost (the ledger's group commit runs thousands a second). Keep compiled statements by their
 * text; a statement still iterating is busy, so that one call gets a fresh one.
 */
function reuseStatements(database: Database.Database): void {
  const prepare = database.prepare.bind(database);
  const cache = new Map<string, Database.Statement>();
  const cached = (source: string): Database.Statement => {
    const known = cache.get(source);
    if (known && !known.busy) return known;
    const statement = prepare(source);
    if (!known) {
      if (cache.size >= STATEMENT_CACHE_SIZE) cache.delete(cache.keys().next().value as string);
      cache.set(source, statement);
    }
    return statement;
  };
  // better-sqlite3 types `prepare` generically over parameter and row types; this returns the same statements.
  database.prepare = cached as unknown as typeof database.prepare;
}

/** Opens (creating if needed) the SQLite file; does not migrate. */
export async function openSqliteStore(path: string, clock: Clock): Promise<Store> {
  if (typeof path !== 'string' || path.trim() === '') {
    throw new EnsuresecError('config_invalid', { detail: 'store.path must name the SQLite database file.' });
  }
  const filePath = resolve(path);
  let database: Database.Database | undefined;
  try {
    createParentFolders(dirname(filePath));
    database = new Database(filePath);
    database.pragma('journal_mode = WAL');
    database.pragma('synchronous = FULL');
    database.pragma(`busy_timeout = ${SQLITE_BUSY_TIMEOUT_MS}`);
    database.pragma('foreign_keys = ON');
    // A read-only directory can still open an existing file; find out now, not on the first write.
    database.exec('begin immediate; commit');
    reuseStatements(database);
  } catch (error) {
    database?.close();
    throw openFailure(filePath, error);
  }
  const db = new Kysely<StoreDatabase>({ dialect: new SqliteDialect({ database }) });
  return new KyselyStore({ db, adapter: sqliteAdapter, description: `sqlite ${filePath}`, clock });
}
