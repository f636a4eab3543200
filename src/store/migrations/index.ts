/** Every schema migration, in the order they apply (store layer). Append only. */
import { initialMigration } from './001-initial.js';
import { ledgerMigration } from './002-ledger.js';
import { wafCollectionsMigration } from './003-waf-collections.js';
import { ledgerCosignaturesMigration } from './004-ledger-cosignatures.js';
import type { Migration } from './migration.js';

export type { Migration } from './migration.js';

export const MIGRATIONS: readonly Migration[] = [
  initialMigration,
  ledgerMigration,
  wafCollectionsMigration,
  ledgerCosignaturesMigration,
];
