/** Every schema migration, in the order they apply (store layer). Append only. */
import { initialMigration } from './001-initial.js';
import { ledgerMigration } from './002-ledger.js';
import { wafCollectionsMigration } from './003-waf-collections.js';
import { ledgerCosignaturesMigration } from './004-ledger-cosignatures.js';
import { ingestMigration } from './005-ingest.js';
import { alertGroupsMigration } from './006-alert-groups.js';
import { modesMigration } from './007-modes.js';
import { outboxMigration } from './008-outbox.js';
import { incidentsMigration } from './009-incidents.js';
import { playbooksMigration } from './010-playbooks.js';
import { decisionFeedMigration } from './011-decision-feed.js';
import { incidentReportsMigration } from './012-incident-reports.js';
import { scanFindingsMigration } from './013-scan-findings.js';
import { dashboardMigration } from './015-dashboard.js';
import { eventsClientIpPartialMigration } from './016-events-client-ip-partial.js';
import type { Migration } from './migration.js';

export type { Migration } from './migration.js';

export const MIGRATIONS: readonly Migration[] = [
  initialMigration,
  ledgerMigration,
  wafCollectionsMigration,
  ledgerCosignaturesMigration,
  ingestMigration,
  alertGroupsMigration,
  modesMigration,
  outboxMigration,
  incidentsMigration,
  playbooksMigration,
  decisionFeedMigration,
  incidentReportsMigration,
  scanFindingsMigration,
  dashboardMigration,
  eventsClientIpPartialMigration,
];
