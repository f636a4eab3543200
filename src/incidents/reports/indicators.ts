/**
 * Indicators of compromise of a case and their STIX 2.1 bundle (incidents, no I/O). They come
 * from the case's evidence: the indicators an entry names, its SHA-256 (a file hash) and its
 * URI when it is a web address. The bundle is the one partner notices carry
 * (response/notices/stix.ts): the entity as an identity, an indicator and a sighting per
 * indicator, and the case's mitigations as courses of action.
 *
 * @example incidentStixBundle(view, 'Example Marketplace GmbH', '2026-11-27T00:00:00.000Z')
 */
import { indicatorSchema, type Indicator } from '../../response/notices/indicators.js';
import { buildStixBundle, type StixBundle } from '../../response/notices/stix.js';
import type { CaseView } from '../case.js';

function candidatesOf(evidence: Record<string, unknown>): unknown[] {
  const named = Array.isArray(evidence['indicators']) ? evidence['indicators'] : [];
  const at = typeof evidence['at'] === 'string' ? { firstSeen: evidence['at'] } : {};
  const described = typeof evidence['title'] === 'string' ? { description: evidence['title'] } : {};
  const fromFields: unknown[] = [];
  if (typeof evidence['sha256'] === 'string')
    fromFields.push({ type: 'sha256', value: evidence['sha256'], ...described, ...at });
  if (typeof evidence['uri'] === 'string' && /^https?:\/\//i.test(evidence['uri']))
    fromFields.push({ type: 'url', value: evidence['uri'], ...described, ...at });
  return [...named, ...fromFields];
}

/** Every valid indicator the evidence names, once each (by type and value), in the order recorded. */
export function indicatorsOf(view: Pick<CaseView, 'evidence'>): Indicator[] {
  const seen = new Set<string>();
  const found: Indicator[] = [];
  for (const evidence of view.evidence) {
    for (const candidate of candidatesOf(evidence)) {
      const parsed = indicatorSchema.safeParse(candidate);
      if (!parsed.success) continue;
      const key = `${parsed.data.type}:${parsed.data.value.toLowerCase()}`;
      if (seen.has(key)) continue;
      seen.add(key);
      found.push(parsed.data);
    }
  }
  return found;
}

/** The case's indicators as a STIX 2.1 bundle; null when it has none. */
export function incidentStixBundle(
  view: Pick<CaseView, 'evidence' | 'incident' | 'legalTimes' | 'mitigations'>,
  entityName: string,
  nowIso: string,
  newUuid?: () => string,
): StixBundle | null {
  const indicators = indicatorsOf(view);
  if (indicators.length === 0) return null;
  return buildStixBundle({
    shopName: entityName,
    reference: view.incident.id,
    facts: {
      title: view.incident.title,
      summary: view.incident.summary === '' ? view.incident.title : view.incident.summary,
      detectedAt: view.legalTimes.detected?.time ?? view.incident.createdAt,
      indicators,
      recommendedActions: view.mitigations.map((mitigation) => mitigation.description),
    },
    now: nowIso,
    ...(newUuid ? { newUuid } : {}),
  });
}
