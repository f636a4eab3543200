/**
 * Threat-intelligence shapes (detect/intel): an indicator as every importer produces it, the
 * problems an import reports (file, line or object, reason) and a match the matcher returns.
 * Values are stored normalised (lower-case hosts and hashes, canonical addresses, masked
 * CIDR blocks) so a lookup is one exact comparison.
 */

export const INDICATOR_TYPES = ['ip', 'cidr', 'domain', 'url', 'hash', 'ja4'] as const;
export type IndicatorType = (typeof INDICATOR_TYPES)[number];
export type HashAlgorithm = 'md5' | 'sha1' | 'sha256';

export interface Indicator {
  type: IndicatorType;
  /** Normalised: `203.0.113.7`, `2001:db8::/32`, `evil.example`, `evil.example/path?q`, hex hash, ja4. */
  value: string;
  /** Only for `hash`: which algorithm the value's length says it is. */
  algorithm?: HashAlgorithm;
  /** Who published it: a feed name, a file name, `manual`. */
  source: string;
  /** 0 (a guess) to 100 (certain). */
  confidence: number;
  /** Event time (ms) from which it applies; absent = always. */
  validFromMs?: number;
  /** Event time (ms) at which it expires; absent = never. */
  validUntilMs?: number;
  tags: string[];
  description?: string;
  /** The STIX indicator id it came from, when it came from a bundle. */
  stixId?: string;
}

/** Why an entry of a file was not imported (or only partly): where, and why. */
export interface IntelProblem {
  code: 'intel_import_invalid';
  file: string;
  /** 1-based line (CSV, plain lists). */
  line?: number;
  /** `objects[3] indicator--…` (STIX bundles). */
  object?: string;
  reason: string;
}

export interface IntelImportResult {
  indicators: Indicator[];
  problems: IntelProblem[];
  /** STIX objects that are not indicators (identities, relationships...), counted by type. */
  skippedObjects: Record<string, number>;
  /** CSV header columns the importer does not know (ignored). */
  ignoredColumns?: string[];
}

/** Where in an event a value was found. */
export type IntelField =
  | 'client.ip'
  | 'flow.srcIp'
  | 'flow.dstIp'
  | 'http.host'
  | 'http.url'
  | 'http.referer'
  | 'client.ja4'
  | 'file.hash';

export interface IntelMatch {
  indicator: Indicator;
  field: IntelField;
  /** The event's value that matched (an address inside a CIDR block, a sub-domain...). */
  value: string;
}

/** `file:line: reason` or `file objects[3] indicator--…: reason`, for people. */
export function intelProblemText(problem: IntelProblem): string {
  const where = problem.line !== undefined ? `:${problem.line}` : problem.object ? ` ${problem.object}` : '';
  return `${problem.file}${where}: ${problem.reason}`;
}
