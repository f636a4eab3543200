/**
 * The scanner's shared vocabulary (prevention stage): attack classes, findings as the checks
 * draft them, and what could not be checked. Every other file under src/scan/ speaks these.
 */
import type { Severity } from '../core/records/common.js';

/** The classes of attack a certificate speaks about (issue 8 §7), plus authentication. */
export const ATTACK_CLASSES = [
  'injection',
  'xss',
  'access-control',
  'authentication',
  'business-logic',
  'transport-security',
  'security-headers',
  'exposed-data',
  'vulnerable-components',
  'client-side-script-integrity',
] as const;
export type AttackClass = (typeof ATTACK_CLASSES)[number];

/** A request and response excerpt kept as evidence (capped, see `EVIDENCE_MAX_CHARS`). */
export interface Evidence {
  request: string;
  response: string;
  /** What in the response proves the finding (the matched text, the missing header…). */
  proof: string;
}

export const EVIDENCE_MAX_CHARS = 2000;

/** What a check reports; the scanner turns it into a `ScanFinding` (fingerprint, score). */
export interface FindingDraft {
  checkId: string;
  attackClass: AttackClass;
  title: string;
  /** CVSS v3.1 vector (`CVSS:3.1/AV:N/...`); severity and score are computed from it. */
  cvssVector: string;
  cwe: string;
  /** The URL where it shows (no query for page-wide findings). */
  url: string;
  method?: string;
  /** The parameter or header concerned, if any. */
  parameter?: string;
  /** Distinguishes two findings of one check on one URL (a header name, a cookie name). */
  detailKey?: string;
  description: string;
  evidence: Evidence;
  reproduce: string;
  remediation: string;
  /** Extra machine-readable facts (a script's hash, the CSP directive…). */
  data?: Record<string, unknown>;
}

export interface ScanFinding extends FindingDraft {
  fingerprint: string;
  severity: Severity;
  cvssScore: number;
  /** How many times the same fingerprint was reported in this scan (deduplicated). */
  occurrences: number;
}

/** Something the scanner could not check, and why (never silently skipped). */
export interface NotChecked {
  what: string;
  reason: string;
  checkId?: string;
}

export type CheckStatus = 'tested' | 'partial' | 'not-tested';

export interface CheckResult {
  checkId: string;
  kind: 'passive' | 'active';
  attackClass: AttackClass;
  status: CheckStatus;
  /** How many requests or pages the check looked at. */
  tested: number;
  reason?: string;
  /** Requests the check itself sent (the crawl's are not counted). */
  requests?: number;
}
