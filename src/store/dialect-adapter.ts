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
  /** Rows per INSERT statement, to stay under the dialect's bound-parameter limit. */
  readonly maxRowsPerInsert: number;
  /** Maps a driver error to the constraint it violated, if any. */
  constraintViolation(error: unknown): ConstraintViolation;
}
