/** Incident: alerts, evidence and impact gathered into one case. */
import { z } from 'zod';
import { idOf, isoTimestamp, labels, severity } from './common.js';

/** The workflow, in order; src/incidents/workflow.ts says which moves are allowed. */
export const INCIDENT_STATUSES = [
  'new',
  'triaged',
  'contained',
  'eradicated',
  'recovered',
  'closed',
] as const;

export const incidentSchema = z.object({
  id: idOf('inc'),
  createdAt: isoTimestamp,
  updatedAt: isoTimestamp,
  title: z.string().min(1).max(512),
  summary: z.string().max(16384).default(''),
  severity,
  status: z.enum(INCIDENT_STATUSES).default('new'),
  alertIds: z.array(idOf('alr')).max(10000).default([]),
  impact: z
    .object({
      affectedCustomers: z.number().int().min(0).optional(),
      financialLossMinor: z.number().int().min(0).optional(),
      serviceDowntimeMinutes: z.number().min(0).optional(),
    })
    .default({}),
  labels,
});

export type Incident = z.infer<typeof incidentSchema>;
export type IncidentInput = z.input<typeof incidentSchema>;

/** What an incident's timeline holds; each kind's `data` is validated by src/incidents/timeline.ts. */
export const INCIDENT_ENTRY_KINDS = [
  'note',
  'event',
  'alert',
  'decision',
  'mode_change',
  'status',
  'legal_time',
  'impact',
  'assessment',
  'significance_decision',
  'task',
  'evidence',
  'affected',
  'root_cause',
  'mitigation',
  'submission',
  'intermediate_request',
  'report_override',
] as const;

/** One append-only timeline entry of an incident: never edited; a correction is a new entry. */
export const incidentEntrySchema = z.object({
  id: idOf('ine'),
  incidentId: idOf('inc'),
  /** When it was recorded. */
  at: isoTimestamp,
  /** A user id, or `system`. */
  actor: z.string().min(1).max(64),
  kind: z.enum(INCIDENT_ENTRY_KINDS),
  data: z.record(z.string(), z.unknown()),
});

export type IncidentEntry = z.infer<typeof incidentEntrySchema>;
