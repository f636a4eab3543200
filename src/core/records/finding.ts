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
  // Since 013 (stored scans): how the finding is tracked across scans of the same target.
  /** The scanner's fingerprint (SHA-256, hex, 32 or 64 digits): the same weakness has the same fingerprint in every scan. */
  fingerprint: z
    .string()
    .regex(/^[0-9a-f]{32,64}$/)
    .optional(),
  cvssVector: z.string().max(256).optional(),
  cvssScore: z.number().min(0).max(10).optional(),
  url: z.string().max(4096).optional(),
  method: z.string().max(16).optional(),
  parameter: z.string().max(512).optional(),
  firstSeen: isoTimestamp.optional(),
  lastSeen: isoTimestamp.optional(),
  /** How many stored scans found it. */
  seenCount: z.number().int().min(1).optional(),
  /** When a later scan that ran the finding's check completely no longer found it. */
  fixedAt: isoTimestamp.nullable().optional(),
  /** Why someone set the status by hand (`PATCH /api/v1/findings/:id`), e.g. a risk accepted. */
  statusReason: z.string().max(1024).optional(),
  /** The stored scan (`scn_…`) that saw it last. */
  lastScanId: z.string().max(64).optional(),
});

export type Finding = z.infer<typeof findingSchema>;
export type FindingInput = z.input<typeof findingSchema>;

/** A stored scan (since 013): the summary of one scan report uploaded to the server. */
export const scanRunSchema = z.object({
  id: idOf('scn'),
  /** The scanned origin (`https://shop.example`): findings are tracked per origin. */
  target: z.string().max(2048),
  mode: z.enum(['passive', 'active']),
  startedAt: isoTimestamp,
  finishedAt: isoTimestamp,
  storedAt: isoTimestamp,
  storedBy: z.string().max(256),
  tool: z.string().max(128),
  requestsSent: z.number().int().min(0),
  /** Every check of the scan and whether it ran completely. */
  checks: z.array(
    z.object({ checkId: z.string().max(128), status: z.enum(['tested', 'partial', 'not-tested']) }),
  ),
  classes: z.array(z.object({ attackClass: z.string().max(128), result: z.string().max(32) })),
  /** The fingerprints the scan found. */
  fingerprints: z.array(z.string().regex(/^[0-9a-f]{32,64}$/)),
  /** What storing it changed: new findings, seen again, fixed before and found again, now fixed. */
  changes: z.object({
    new: z.number().int().min(0),
    seenAgain: z.number().int().min(0),
    reopened: z.number().int().min(0),
    fixed: z.number().int().min(0),
  }),
});

export type ScanRun = z.infer<typeof scanRunSchema>;
