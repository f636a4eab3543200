/**
 * CVSS v3.1 base score, from the FIRST specification (section 7.1 formulas, Appendix A
 * Roundup). Scanner findings carry a vector; the score and the qualitative severity are
 * always computed here, never typed by hand.
 *
 * @example cvssBaseScore('CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H') // 9.8
 */
import type { Severity } from '../../core/records/common.js';

const WEIGHTS = {
  AV: { N: 0.85, A: 0.62, L: 0.55, P: 0.2 },
  AC: { L: 0.77, H: 0.44 },
  UI: { N: 0.85, R: 0.62 },
  C: { H: 0.56, L: 0.22, N: 0 },
  I: { H: 0.56, L: 0.22, N: 0 },
  A: { H: 0.56, L: 0.22, N: 0 },
} as const;
const PRIVILEGES = {
  U: { N: 0.85, L: 0.62, H: 0.27 },
  C: { N: 0.85, L: 0.68, H: 0.5 },
} as const;
const BASE_METRICS = ['AV', 'AC', 'PR', 'UI', 'S', 'C', 'I', 'A'] as const;

export interface CvssVector {
  AV: keyof typeof WEIGHTS.AV;
  AC: keyof typeof WEIGHTS.AC;
  PR: keyof typeof PRIVILEGES.U;
  UI: keyof typeof WEIGHTS.UI;
  S: 'U' | 'C';
  C: keyof typeof WEIGHTS.C;
  I: keyof typeof WEIGHTS.I;
  A: keyof typeof WEIGHTS.A;
}

const ALLOWED: Record<(typeof BASE_METRICS)[number], readonly string[]> = {
  AV: Object.keys(WEIGHTS.AV),
  AC: Object.keys(WEIGHTS.AC),
  PR: Object.keys(PRIVILEGES.U),
  UI: Object.keys(WEIGHTS.UI),
  S: ['U', 'C'],
  C: Object.keys(WEIGHTS.C),
  I: Object.keys(WEIGHTS.I),
  A: Object.keys(WEIGHTS.A),
};

/** Parses a v3.1 vector with the eight base metrics (temporal/environmental are refused). */
export function parseCvssVector(vector: string): CvssVector {
  const [prefix, ...parts] = vector.split('/');
  if (prefix !== 'CVSS:3.1') throw new Error(`not a CVSS v3.1 vector: ${vector}`);
  const metrics = new Map<string, string>();
  for (const part of parts) {
    const [name, value, extra] = part.split(':');
    if (!name || value === undefined || extra !== undefined || metrics.has(name)) {
      throw new Error(`malformed metric "${part}" in ${vector}`);
    }
    if (!(name in ALLOWED)) throw new Error(`unsupported metric ${name} in ${vector}`);
    if (!ALLOWED[name as keyof typeof ALLOWED].includes(value)) {
      throw new Error(`bad value ${name}:${value} in ${vector}`);
    }
    metrics.set(name, value);
  }
  const missing = BASE_METRICS.filter((name) => !metrics.has(name));
  if (missing.length > 0) throw new Error(`missing ${missing.join(', ')} in ${vector}`);
  return Object.fromEntries(metrics) as unknown as CvssVector;
}

/** Appendix A: the smallest number with one decimal that is >= the input, float-safe. */
export function roundUp(value: number): number {
  const integer = Math.round(value * 100_000);
  if (integer % 10_000 === 0) return integer / 100_000;
  return (Math.floor(integer / 10_000) + 1) / 10;
}

export function cvssBaseScore(vector: string): number {
  const v = parseCvssVector(vector);
  const iss = 1 - (1 - WEIGHTS.C[v.C]) * (1 - WEIGHTS.I[v.I]) * (1 - WEIGHTS.A[v.A]);
  const changed = v.S === 'C';
  const impact = changed ? 7.52 * (iss - 0.029) - 3.25 * Math.pow(iss - 0.02, 15) : 6.42 * iss;
  const exploitability =
    8.22 * WEIGHTS.AV[v.AV] * WEIGHTS.AC[v.AC] * PRIVILEGES[v.S][v.PR] * WEIGHTS.UI[v.UI];
  if (impact <= 0) return 0;
  return changed
    ? roundUp(Math.min(1.08 * (impact + exploitability), 10))
    : roundUp(Math.min(impact + exploitability, 10));
}

/** The specification's qualitative rating (None maps to our `info`). */
export function severityOfScore(score: number): Severity {
  if (score === 0) return 'info';
  if (score < 4) return 'low';
  if (score < 7) return 'medium';
  if (score < 9) return 'high';
  return 'critical';
}
