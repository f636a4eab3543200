/**
 * The shape of one versioned schema migration (store layer). Migrations are listed in
 * `migrations/index.ts`, applied in order by `migrator.ts`, each in its own transaction,
 * and never edited once released: a change is a new file `NNN-name.ts`.
 */
import type { Kysely } from 'kysely';
import type { DialectAdapter } from '../dialect-adapter.js';

export interface Migration {
  /** `NNN-name`, recorded in `ensuresec_migrations` once applied. */
  readonly name: string;
  /** Typed as `unknown` on purpose: a migration describes the schema of its day, not today's types. */
  up(db: Kysely<unknown>, adapter: DialectAdapter): Promise<void>;
}
