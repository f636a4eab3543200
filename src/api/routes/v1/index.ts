/**
 * The one list of `/api/v1` routes (api). A new noun is one file in this folder plus one
 * line here; the OpenAPI document and the auth-coverage test pick it up from this list.
 */
import type { ApiRoute } from '../../route.js';
import { alertRoutes } from './alerts.js';
import { certificateRoutes } from './certificates.js';
import { alertTuningRoutes } from './alert-tuning.js';
import { authRoutes } from './auth.js';
import { deadLetterRoutes } from './dead-letters.js';
import { decisionFeedRoutes } from './decision-feed.js';
import { decisionRoutes } from './decisions.js';
import { deliveryRoutes } from './delivery.js';
import { deliveryOverviewRoutes } from './delivery-overview.js';
import { eventRoutes } from './events.js';
import { exportRoutes } from './export.js';
import { findingRoutes } from './findings.js';
import { ingestRoutes } from './ingest.js';
import { gatewayKeyRoutes } from './gateway-keys.js';
import { incidentCaseRoutes } from './incident-cases.js';
import { incidentReportRoutes } from './incident-reports.js';
import { incidentRoutes } from './incidents.js';
import { ledgerRoutes } from './ledger.js';
import { ledgerLookupRoutes } from './ledger-lookup.js';
import { modeFeedRoutes } from './mode-feed.js';
import { modeRoutes } from './modes.js';
import { nis2Routes } from './nis2.js';
import { noticeRoutes } from './notices.js';
import { partnerRoutes } from './partner.js';
import { partnerDirectoryRoutes } from './partners.js';
import { playbookRoutes } from './playbooks.js';
import { scanRoutes } from './scans.js';
import { statusRoutes } from './status.js';
import { streamRoutes } from './stream.js';
import { tokenRoutes } from './tokens.js';
import { trafficRoutes } from './traffic.js';
import { userRoutes } from './users.js';
import { wafRoutes } from './waf.js';

export const V1_ROUTES: readonly ApiRoute[] = [
  ...alertTuningRoutes,
  ...alertRoutes,
  ...authRoutes,
  ...certificateRoutes,
  ...deadLetterRoutes,
  ...decisionFeedRoutes,
  ...decisionRoutes,
  ...deliveryRoutes,
  ...deliveryOverviewRoutes,
  ...eventRoutes,
  ...exportRoutes,
  ...findingRoutes,
  ...incidentRoutes,
  ...incidentCaseRoutes,
  ...gatewayKeyRoutes,
  ...incidentReportRoutes,
  ...ingestRoutes,
  ...ledgerRoutes,
  ...ledgerLookupRoutes,
  ...modeFeedRoutes,
  ...modeRoutes,
  ...nis2Routes,
  ...noticeRoutes,
  ...partnerRoutes,
  ...partnerDirectoryRoutes,
  ...playbookRoutes,
  ...scanRoutes,
  ...statusRoutes,
  ...streamRoutes,
  ...tokenRoutes,
  ...trafficRoutes,
  ...userRoutes,
  ...wafRoutes,
];
