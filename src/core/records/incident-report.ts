/**
 * IncidentReport (core, no I/O): one frozen, immutable version of a regulatory report (NIS2
 * Art. 23(4) early warning, notification, intermediate, progress or final report, or the GDPR
 * Art. 33 notification) — the draft as it stood, with people's field overrides, the indicators
 * of compromise and their STIX 2.1 bundle. Versions count from 1 per incident and stage; a
 * correction is the next version. `sha256` is the digest of the JSON export, so the ledger
 * entry `report.frozen` proves which content was frozen.
 */
import { z } from 'zod';
import { idOf, isoTimestamp } from './common.js';

export const reportFieldSchema = z.object({
  key: z.string(),
  label: z.string(),
  reference: z.string(),
  requirement: z.enum(['required', 'where_applicable', 'where_available']),
  value: z.unknown(),
  missing: z.boolean(),
  /** Set when a person replaced the prefilled value before freezing. */
  override: z
    .object({ entryId: z.string(), by: z.string(), at: isoTimestamp, reason: z.string().optional() })
    .optional(),
});

export const incidentReportSchema = z.object({
  id: idOf('rpt'),
  incidentId: idOf('inc'),
  stage: z.string(),
  version: z.number().int().min(1),
  frozenAt: isoTimestamp,
  /** A user id. */
  frozenBy: z.string().min(1).max(64),
  title: z.string(),
  reference: z.string(),
  entity: z.object({ name: z.string(), type: z.string(), memberStates: z.array(z.string()) }),
  incident: z.object({ id: z.string(), title: z.string(), status: z.string() }),
  dueAt: z.string().nullable(),
  dueLocal: z.string().nullable(),
  fields: z.array(reportFieldSchema),
  missing: z.array(z.string()),
  indicators: z.array(z.object({ type: z.string(), value: z.string() }).loose()),
  /** The STIX 2.1 bundle of the indicators (identity, indicators, sightings); null without indicators. */
  stix: z
    .looseObject({ type: z.literal('bundle'), id: z.string(), objects: z.array(z.unknown()) })
    .nullable(),
  /** SHA-256 (hex) of the canonical JSON of everything above (RFC 8785), as the ledger logs it. */
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
});

export type IncidentReport = z.infer<typeof incidentReportSchema>;
export type ReportField = z.infer<typeof reportFieldSchema>;
