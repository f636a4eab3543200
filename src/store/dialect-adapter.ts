/**
 * What the shared Kysely store needs to know about a database beyond Kysely's own dialect
 * (store layer). Each dialect folder supplies one of these; the shared code reads the flags
 * and never asks which database it is talking to.
 */
import type { Expression } from 'kysely';
import type { StoreCapabilities } from './store.js';

/** How a failed statement should be reported to the caller. */
export type ConstraintViolation = 'unique' | 'foreign_key' | null;

export interface DialectAdapter {
  readonly capabilities: StoreCapabilities;
  /**
   * Statements that open a migration transaction and make it the only one running, across
   * processes. SQLite: `begin immediate` (take the write lock before reading what is applied).
   * PostgreSQL: `begin` plus a transaction-scoped advisory lock.
   */
  readonly migrationTransactionStart: readonly string[];
  /**
   * The column type for ids and other keys that lists sort on: it must compare byte by byte
   * so ULID ids sort by creation whatever the database's default collation.
   */
  readonly sortableTextType: Expression<unknown>;
  /**
   * The type of a 64-bit integer primary key. SQLite: `integer`, which makes the key the rowid
   * itself (one B-tree per table instead of a table plus an index); PostgreSQL: `bigint`.
   */
  readonly integerKeyType: Expression<unknown>;
  /**
   * Ends CREATE TABLE for a table whose composite primary key is its only index, so rows live
   * in the key's B-tree: SQLite `without rowid`; nothing on PostgreSQL.
   */
  readonly clusteredKeyTableSuffix: Expression<unknown>;
  /** The column type for raw bytes (hashes, salts): drivers hand them back as a Buffer. */
  readonly binaryType: Expression<unknown>;
  /**
   * Statements that open a write transaction (`store.transaction`). SQLite: `begin immediate`,
   * so the write lock is taken before the first read and a second process waits instead of
   * failing on the upgrade. PostgreSQL: `begin`.
   */
  readonly writeTransactionStart: readonly string[];
  /**
   * Statements run inside a write transaction before appending to the ledger, so appends of
   * several processes never take the same index. Empty where the write transaction already
   * excludes every other writer (SQLite); a transaction-scoped advisory lock on PostgreSQL.
   */
  readonly ledgerAppendLock: readonly string[];
  /** Rows per INSERT statement, to stay under the dialect's bound-parameter limit. */
  readonly maxRowsPerInsert: number;
  /** Maps a driver error to the constraint it violated, if any. */
  constraintViolation(error: unknown): ConstraintViolation;
}
