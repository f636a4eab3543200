/**
 * Freezing a report draft (incidents, no I/O): the draft as it stands, with people's overrides,
 * its indicators of compromise and their STIX bundle become an IncidentReport, a version that
 * is never changed. Its `sha256` covers the canonical JSON (RFC 8785) of everything else, so an
 * export can be checked against the ledger entry `report.frozen`.
 *
 * @example const report = freezeDraft(draft, { id, version: 1, frozenAt, frozenBy: user.id }, indicators, stix);
 */
import { createHash } from 'node:crypto';
import type { IncidentReport } from '../../core/records/incident-report.js';
import { canonicalJson } from '../../ledger/canonical-json.js';
import type { Indicator } from '../../response/notices/indicators.js';
import type { StixBundle } from '../../response/notices/stix.js';
import type { ReportDraft } from './drafts.js';

export interface FreezeMeta {
  id: string;
  version: number;
  frozenAt: string;
  frozenBy: string;
}

/** The SHA-256 (hex) of a report's canonical JSON without its `sha256`. */
export function reportDigest(report: Omit<IncidentReport, 'sha256'> & { sha256?: string }): string {
  const { sha256: _ignored, ...body } = report;
  return createHash('sha256').update(canonicalJson(body), 'utf8').digest('hex');
}

export function freezeDraft(
  draft: ReportDraft,
  meta: FreezeMeta,
  indicators: readonly Indicator[],
  stix: StixBundle | null,
): IncidentReport {
  // Through JSON once, so what is hashed is exactly what is stored and exported (no undefined).
  const body = JSON.parse(
    JSON.stringify({
      id: meta.id,
      incidentId: draft.incident.id,
      stage: draft.stage,
      version: meta.version,
      frozenAt: meta.frozenAt,
      frozenBy: meta.frozenBy,
      title: draft.title,
      reference: draft.reference,
      entity: draft.entity,
      incident: draft.incident,
      dueAt: draft.dueAt,
      dueLocal: draft.dueLocal,
      fields: draft.fields,
      missing: draft.missing,
      indicators,
      stix,
    }),
  ) as Omit<IncidentReport, 'sha256'>;
  return { ...body, sha256: reportDigest(body) };
}

/** File names of a report's exports, e.g. `inc_01…-notification-v2.pdf`. */
export function reportFileName(
  report: Pick<IncidentReport, 'incidentId' | 'stage' | 'version'>,
  extension: 'json' | 'md' | 'pdf' | 'stix.json',
): string {
  return `${report.incidentId}-${report.stage.replaceAll('_', '-')}-v${report.version}.${extension}`;
}
