/** Finding: a weakness the scanner found in a shop (prevention). */
import { z } from 'zod';
import { idOf, isoTimestamp, severity } from './common.js';

export const findingSchema = z.object({
  id: idOf('fnd'),
  createdAt: isoTimestamp,
  target: z.string().max(2048),
  checkId: z.string().max(128),
  attackClass: z.string().max(128),
  title: z.string().min(1).max(512),
  severity,
  status: z.enum(['open', 'fixed', 'accepted']).default('open'),
  evidence: z.string().max(16384).default(''),
  remediation: z.string().max(8192).default(''),
  cwe: z
    .string()
    .regex(/^CWE-\d+$/)
    .optional(),
});

export type Finding = z.infer<typeof findingSchema>;
export type FindingInput = z.input<typeof findingSchema>;
