/**
 * The hand-off records of the pipeline, their schemas and a registry keyed by kind:
 * SecurityEvent → Alert → Decision / Incident; Finding → Certificate.
 */
import type { z } from 'zod';
import { alertSchema } from './alert.js';
import { decisionSchema } from './decision.js';
import { findingSchema } from './finding.js';
import { incidentSchema } from './incident.js';
import { securityEventSchema } from './security-event.js';

export * from './alert.js';
export * from './alert-suppression.js';
export * from './common.js';
export * from './decision.js';
export * from './finding.js';
export * from './incident.js';
export * from './playbook-run.js';
export * from './security-event.js';

export const RECORD_SCHEMAS = {
  event: securityEventSchema,
  alert: alertSchema,
  decision: decisionSchema,
  incident: incidentSchema,
  finding: findingSchema,
} as const satisfies Record<string, z.ZodType>;

export type RecordKind = keyof typeof RECORD_SCHEMAS;
