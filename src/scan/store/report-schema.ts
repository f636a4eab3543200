/**
 * The part of a JSON scan report (`ensuresec-scan-report/v1`) the server stores, as a zod schema
 * (prevention stage): what `POST /api/v1/scans` accepts. Fields it does not store (the crawl
 * list, `records`, `notChecked`) are allowed and ignored.
 */
import { z } from 'zod';
import { isoTimestamp, severity } from '../../core/records/common.js';
import { ATTACK_CLASSES } from '../types.js';

export const MAX_STORED_FINDINGS = 2000;

const text = (max: number) => z.string().max(max);

export const storedFindingSchema = z.object({
  checkId: text(128).min(1),
  attackClass: z.enum(ATTACK_CLASSES),
  title: text(512).min(1),
  cvssVector: text(256),
  cvssScore: z.number().min(0).max(10),
  severity,
  cwe: text(32),
  url: text(4096),
  method: text(16).optional(),
  parameter: text(512).optional(),
  description: text(16384).default(''),
  evidence: z.object({ request: text(16384), response: text(16384), proof: text(4096) }),
  remediation: text(8192).default(''),
  fingerprint: z.string().regex(/^[0-9a-f]{32,64}$/, 'the scanner fingerprint (hex)'),
  occurrences: z.number().int().min(1).optional(),
});

export const storedReportSchema = z.object({
  format: z.literal('ensuresec-scan-report/v1'),
  tool: z.object({ name: text(64), version: text(64) }),
  target: text(4096),
  origin: z
    .string()
    .max(2048)
    .regex(/^https?:\/\/[^/?#\s]+$/, 'an origin such as https://shop.example'),
  mode: z.enum(['passive', 'active']),
  startedAt: isoTimestamp,
  finishedAt: isoTimestamp,
  requests: z.object({ sent: z.number().int().min(0) }),
  findings: z.array(storedFindingSchema).max(MAX_STORED_FINDINGS),
  checks: z
    .array(
      z.object({
        checkId: text(128).min(1),
        status: z.enum(['tested', 'partial', 'not-tested']),
      }),
    )
    .max(500),
  classes: z.array(z.object({ attackClass: text(128), result: text(32) })).max(100),
});

export type StoredReport = z.infer<typeof storedReportSchema>;
export type StoredReportInput = z.input<typeof storedReportSchema>;
