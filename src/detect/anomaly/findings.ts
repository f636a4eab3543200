/**
 * What made a key anomalous (detect/anomaly): one finding per feature, with the value seen,
 * the value expected, their ratio and the robust z-score, flattened into a detection's
 * evidence as `<feature>.value`, `<feature>.expected`, `<feature>.ratio`, `<feature>.z` plus
 * `features` (the list, most anomalous first).
 */

export const ANOMALY_FEATURES = [
  'rate',
  'status_4xx_ratio',
  'status_5xx_ratio',
  'request_bytes',
  'response_bytes',
  'url_entropy_bits',
  'new_ja4',
  'new_user_agent',
  'distinct_paths',
  'status_4xx',
] as const;
export type AnomalyFeature = (typeof ANOMALY_FEATURES)[number];

export interface Finding {
  feature: AnomalyFeature;
  value: number;
  expected: number;
  ratio: number;
  z: number;
}

const round = (x: number) => (Number.isFinite(x) ? Math.round(x * 100) / 100 : 1e9);

export function finding(feature: AnomalyFeature, value: number, expected: number, z: number): Finding {
  return { feature, value, expected, ratio: expected > 0 ? value / expected : Number.POSITIVE_INFINITY, z };
}

export function findingsEvidence(findings: Finding[]): Record<string, number | string> {
  const sorted = [...findings].sort((a, b) => b.z - a.z);
  const evidence: Record<string, number | string> = { features: sorted.map((f) => f.feature).join(',') };
  for (const f of sorted) {
    evidence[`${f.feature}.value`] = round(f.value);
    evidence[`${f.feature}.expected`] = round(f.expected);
    evidence[`${f.feature}.ratio`] = round(f.ratio);
    evidence[`${f.feature}.z`] = round(f.z);
  }
  return evidence;
}

/** `rate 312 (expected 4, 78x, z 41)`. */
export function findingsText(findings: Finding[]): string {
  return [...findings]
    .sort((a, b) => b.z - a.z)
    .map(
      (f) =>
        `${f.feature} ${round(f.value)} (expected ${round(f.expected)}, ${round(f.ratio)}x, z ${round(f.z)})`,
    )
    .join('; ');
}
