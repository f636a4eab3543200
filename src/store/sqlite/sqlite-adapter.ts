/**
 * What the shared store needs to know about SQLite (store layer, embedded default).
 * One process writes at a time through one connection; there is no cross-process notify.
 */
import { sql } from 'kysely';
import type { ConstraintViolation, DialectAdapter } from '../dialect-adapter.js';

function errorCode(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}

export const sqliteAdapter: DialectAdapter = {
  capabilities: { concurrentWriters: false, crossProcessNotify: false },
  // IMMEDIATE takes the write lock up front, so a second process waits (busy_timeout)
  // instead of failing when it upgrades from reading the applied list to writing.
  migrationTransactionStart: ['begin immediate'],
  // SQLite compares text byte by byte (BINARY) unless told otherwise.
  sortableTextType: sql`text`,
  integerKeyType: sql`integer`,
  clusteredKeyTableSuffix: sql`without rowid`,
  binaryType: sql`blob`,
  writeTransactionStart: ['begin immediate'],
  // `begin immediate` already holds the only write lock until commit.
  ledgerAppendLock: [],
  // 32,766 bound parameters since SQLite 3.32; events bind 5 per row, leaving room to spare.
  maxRowsPerInsert: 500,
  constraintViolation(error): ConstraintViolation {
    const code = errorCode(error);
    if (code === 'SQLITE_CONSTRAINT_UNIQUE' || code === 'SQLITE_CONSTRAINT_PRIMARYKEY') return 'unique';
    if (code === 'SQLITE_CONSTRAINT_FOREIGNKEY') return 'foreign_key';
    return null;
  },
};
