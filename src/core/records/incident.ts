/** Incident: alerts, evidence and impact gathered into one case. */
import { z } from 'zod';
import { idOf, isoTimestamp, labels, severity } from './common.js';

export const INCIDENT_STATUSES = ['open', 'investigating', 'contained', 'resolved', 'closed'] as const;

export const incidentSchema = z.object({
  id: idOf('inc'),
  createdAt: isoTimestamp,
  updatedAt: isoTimestamp,
  title: z.string().min(1).max(512),
  summary: z.string().max(16384).default(''),
  severity,
  status: z.enum(INCIDENT_STATUSES).default('open'),
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
