/**
 * Turns check drafts into findings: the CVSS score and severity computed from the vector,
 * a fingerprint that names the same weakness in every scan (check, origin, method, path,
 * parameter, detail key: never the payload or the time), duplicates folded into one.
 */
import { createHash } from 'node:crypto';
import type { FindingDraft, ScanFinding } from '../types.js';
import { cvssBaseScore, severityOfScore } from './cvss.js';

export function fingerprintOf(draft: FindingDraft): string {
  const url = new URL(draft.url);
  const key = [
    draft.checkId,
    url.origin,
    (draft.method ?? 'GET').toUpperCase(),
    url.pathname,
    draft.parameter ?? '',
    draft.detailKey ?? '',
  ].join('\n');
  return createHash('sha256').update(key).digest('hex').slice(0, 32);
}

export class FindingCollector {
  private readonly byFingerprint = new Map<string, ScanFinding>();

  add(draft: FindingDraft): ScanFinding {
    const fingerprint = fingerprintOf(draft);
    const known = this.byFingerprint.get(fingerprint);
    if (known) {
      known.occurrences++;
      return known;
    }
    const cvssScore = cvssBaseScore(draft.cvssVector);
    const finding: ScanFinding = {
      ...draft,
      fingerprint,
      cvssScore,
      severity: severityOfScore(cvssScore),
      occurrences: 1,
    };
    this.byFingerprint.set(fingerprint, finding);
    return finding;
  }

  get size(): number {
    return this.byFingerprint.size;
  }

  /** Most severe first, then by check and URL, so reports are stable. */
  list(): ScanFinding[] {
    return [...this.byFingerprint.values()].sort(
      (a, b) => b.cvssScore - a.cvssScore || a.checkId.localeCompare(b.checkId) || a.url.localeCompare(b.url),
    );
  }
}
