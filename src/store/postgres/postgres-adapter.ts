/**
 * What the shared store needs to know about PostgreSQL (store layer, larger deployments):
 * several processes may write at once and LISTEN/NOTIFY exists.
 */
import { sql } from 'kysely';
import type { ConstraintViolation, DialectAdapter } from '../dialect-adapter.js';

/** Arbitrary but fixed: every Ensuresec process takes the same advisory lock to migrate. */
const MIGRATION_LOCK_KEY = 4_212_020_231;
/** Likewise for ledger appends: held until the appending transaction ends. */
const LEDGER_APPEND_LOCK_KEY = 4_212_020_232;

export const postgresAdapter: DialectAdapter = {
  capabilities: { concurrentWriters: true, crossProcessNotify: true },
  migrationTransactionStart: ['begin', `select pg_advisory_xact_lock(${MIGRATION_LOCK_KEY})`],
  // "C" compares bytes, so ULID ids sort by creation whatever collation the database has.
  sortableTextType: sql`text collate "C"`,
  integerKeyType: sql`bigint`,
  clusteredKeyTableSuffix: sql``,
  binaryType: sql`bytea`,
  writeTransactionStart: ['begin'],
  ledgerAppendLock: [`select pg_advisory_xact_lock(${LEDGER_APPEND_LOCK_KEY})`],
  // 65,535 bound parameters per statement; events bind 5 per row.
  maxRowsPerInsert: 1_000,
  constraintViolation(error): ConstraintViolation {
    const code = (error as { code?: unknown } | null)?.code;
    if (code === '23505') return 'unique';
    if (code === '23503') return 'foreign_key';
    return null;
  },
};
