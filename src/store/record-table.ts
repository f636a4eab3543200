/**
 * Helpers every collection of the Kysely store shares (store layer): turning constraint
 * violations into catalogue errors, and read-modify-write of a JSON record without losing a
 * concurrent change.
 */
import type { Kysely } from 'kysely';
import { EnsuresecError } from '../core/errors.js';
import { fromJsonText } from './columns.js';
import type { DialectAdapter } from './dialect-adapter.js';
import type { StoreDatabase } from './schema.js';

export interface StoreContext {
  readonly db: Kysely<StoreDatabase>;
  readonly adapter: DialectAdapter;
}

export interface ViolationDetails {
  /** Said when a unique key is taken, e.g. `a user named "ada" already exists`. */
  unique: string;
  /** Said when a referenced row is missing, e.g. `user usr_… does not exist`. */
  foreignKey?: string;
}

/** Runs a write; unique violations become `conflict`, missing references `not_found`. */
export async function runWrite<T>(
  ctx: StoreContext,
  details: ViolationDetails,
  write: () => Promise<T>,
): Promise<T> {
  try {
    return await write();
  } catch (error) {
    const violation = ctx.adapter.constraintViolation(error);
    if (violation === 'unique')
      throw new EnsuresecError('conflict', { detail: details.unique, cause: error });
    if (violation === 'foreign_key') {
      throw new EnsuresecError('not_found', {
        detail: details.foreignKey ?? 'A referenced record does not exist.',
        cause: error,
      });
    }
    throw error;
  }
}

const MAX_SWAP_ATTEMPTS = 16;
const MAX_SWAP_BACKOFF_MS = 5;

/** A random pause so writers that collided do not collide again in lockstep. */
function backoff(): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, Math.random() * MAX_SWAP_BACKOFF_MS));
}

/**
 * Read-modify-write of one JSON record as compare-and-swap on the stored text: the write
 * only lands if the row still holds what was read, so a revoke racing a `touch` is never
 * undone. Works the same on every dialect, with no row locks.
 *
 * @returns the new record, or undefined when the row does not exist.
 */
export async function swapRecord<T>(
  read: () => Promise<{ record: string } | undefined>,
  write: (previousText: string, next: T) => Promise<boolean>,
  change: (current: T) => T,
): Promise<T | undefined> {
  for (let attempt = 0; attempt < MAX_SWAP_ATTEMPTS; attempt++) {
    const row = await read();
    if (row === undefined) return undefined;
    const next = change(fromJsonText<T>(row.record));
    if (await write(row.record, next)) return next;
    await backoff();
  }
  throw new EnsuresecError('conflict', {
    detail: 'The record kept changing while it was being updated; retry.',
  });
}

/** Kysely reports affected rows as bigint on every dialect. */
export function changedAny(result: { numUpdatedRows?: bigint; numDeletedRows?: bigint }): boolean {
  return (result.numUpdatedRows ?? result.numDeletedRows ?? 0n) > 0n;
}

export function countOf(row: { n: number | string | bigint } | undefined): number {
  return row === undefined ? 0 : Number(row.n);
}
