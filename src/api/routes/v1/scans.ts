/**
 * Stored scans (api/v1): `ensuresec scan URL --store` uploads its JSON report here; the server
 * keeps a summary of the scan and tracks each finding across scans of the same origin by its
 * fingerprint (new, seen again, reopened, fixed), every write through the ledger. A high or
 * critical finding revokes the certificates of the origin that passed its class (auto-revoke.ts).
 */
import { z } from 'zod';
import { EnsuresecError } from '../../../core/errors.js';
import { findingSchema, scanRunSchema } from '../../../core/records/index.js';
import { revokeForConfirmedFlaw, scanConfirmations } from '../../../scan/certificate/auto-revoke.js';
import { recordScan } from '../../../scan/store/record-scan.js';
import { storedReportSchema } from '../../../scan/store/report-schema.js';
import { defineRoute } from '../../route.js';
import { idParams, pageOf, pageQueryShape } from '../../schemas.js';

export const recordedScanSchema = z.object({
  scan: scanRunSchema,
  findings: z.array(findingSchema),
  fixed: z.array(findingSchema),
  /** Certificates this scan revoked: it confirmed a flaw in a class they certified (auto-revoke.ts). */
  revokedCertificates: z.array(z.string()).optional(),
});

const create = defineRoute('scans', {
  method: 'POST',
  url: '/scans',
  summary: 'Store a JSON scan report (`ensuresec-scan-report/v1`); findings are deduplicated by fingerprint',
  access: 'write:security',
  body: storedReportSchema,
  response: { status: 201, schema: recordedScanSchema },
  async handler({ body, principal, deps }) {
    const recorded = await recordScan(deps, body, { id: principal.user.id, name: principal.user.name });
    // A confirmed flaw (high or critical) revokes the certificates that passed its class.
    const revoked: string[] = [];
    for (const confirmation of scanConfirmations(body, recorded.scan.id))
      for (const certificate of await revokeForConfirmedFlaw(deps, confirmation, principal.user.id))
        revoked.push(certificate.id);
    return { ...recorded, revokedCertificates: revoked };
  },
});

const list = defineRoute('scans', {
  method: 'GET',
  url: '/scans',
  summary: 'List stored scans, newest first, by target origin',
  access: 'read',
  query: z.strictObject({ ...pageQueryShape, target: z.string().min(1).max(2048).optional() }),
  response: { schema: pageOf(scanRunSchema) },
  async handler({ query, deps }) {
    return deps.store.scanRuns.list(query);
  },
});

const get = defineRoute('scans', {
  method: 'GET',
  url: '/scans/:id',
  summary: 'One stored scan',
  access: 'read',
  params: idParams('scn'),
  response: { schema: scanRunSchema },
  async handler({ params, deps }) {
    const scan = await deps.store.scanRuns.get(params.id);
    if (!scan) throw new EnsuresecError('not_found', { detail: `Scan ${params.id} does not exist.` });
    return scan;
  },
});

export const scanRoutes = [create, list, get];
