/**
 * STIX 2.1 bundles for partner notices (response / notices, no I/O): the shop as an identity,
 * one indicator and one sighting (by the shop) per shared indicator, one course-of-action per
 * recommended action with a `mitigates` relationship to each indicator. Attached to partner
 * emails and carried in partner webhooks.
 *
 * @example buildStixBundle({ shopName: 'Demo Shop', reference: 'inc_01…', facts, now: '2026-11-27T00:00:00.000Z' })
 */
import { createHash, randomUUID } from 'node:crypto';
import { stixPatternOf, type Indicator } from './indicators.js';

export interface StixObject {
  type: string;
  id: string;
  [property: string]: unknown;
}

export interface StixBundle {
  type: 'bundle';
  id: string;
  objects: StixObject[];
}

export interface StixFacts {
  title: string;
  summary: string;
  detectedAt: string;
  indicators: readonly Indicator[];
  recommendedActions: readonly string[];
}

export interface StixBundleInput {
  shopName: string;
  /** The incident or alert id, kept as an external reference so partners can quote it back. */
  reference: string;
  facts: StixFacts;
  /** ISO 8601 with milliseconds: `created` and `modified` of every object. */
  now: string;
  /** Random by default; tests pass a sequence. */
  newUuid?: () => string;
}

/** RFC 9562 name-based UUID (version 5): the shop's identity keeps one id across bundles. */
function uuidV5(name: string, namespace: string): string {
  const namespaceBytes = Buffer.from(namespace.replace(/-/g, ''), 'hex');
  const hash = createHash('sha1').update(namespaceBytes).update(name, 'utf8').digest();
  hash[6] = ((hash[6] as number) & 0x0f) | 0x50;
  hash[8] = ((hash[8] as number) & 0x3f) | 0x80;
  const hex = hash.subarray(0, 16).toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** The STIX 2.1 namespace for deterministic identifiers (spec section 2.9). */
const STIX_NAMESPACE = '00abedb4-aa42-466c-9c01-fed23315a9b7';

/** STIX timestamps are UTC with a `Z`; millisecond precision as `created` requires. */
function stixTime(iso: string): string {
  return new Date(iso).toISOString();
}

export function buildStixBundle(input: StixBundleInput): StixBundle {
  const uuid = input.newUuid ?? randomUUID;
  const now = stixTime(input.now);
  const common = { spec_version: '2.1', created: now, modified: now };
  const identity: StixObject = {
    type: 'identity',
    id: `identity--${uuidV5(`ensuresec-shop:${input.shopName}`, STIX_NAMESPACE)}`,
    ...common,
    name: input.shopName,
    identity_class: 'organization',
    sectors: ['retail'],
  };
  const byShop = { ...common, created_by_ref: identity.id };
  const externalReferences = [{ source_name: 'ensuresec', external_id: input.reference }];

  const objects: StixObject[] = [identity];
  const indicatorIds: string[] = [];
  for (const indicator of input.facts.indicators) {
    const firstSeen = stixTime(indicator.firstSeen ?? input.facts.detectedAt);
    const indicatorObject: StixObject = {
      type: 'indicator',
      id: `indicator--${uuid()}`,
      ...byShop,
      name: `${indicator.type} ${indicator.value}`,
      description: indicator.description ?? input.facts.title,
      indicator_types: ['malicious-activity'],
      pattern: stixPatternOf(indicator),
      pattern_type: 'stix',
      pattern_version: '2.1',
      valid_from: firstSeen,
      external_references: externalReferences,
    };
    indicatorIds.push(indicatorObject.id);
    const lastSeen = stixTime(indicator.lastSeen ?? indicator.firstSeen ?? input.facts.detectedAt);
    objects.push(indicatorObject, {
      type: 'sighting',
      id: `sighting--${uuid()}`,
      ...byShop,
      sighting_of_ref: indicatorObject.id,
      where_sighted_refs: [identity.id],
      first_seen: firstSeen,
      last_seen: lastSeen < firstSeen ? firstSeen : lastSeen,
      count: indicator.count ?? 1,
      description: input.facts.summary,
    });
  }
  for (const action of input.facts.recommendedActions) {
    const course: StixObject = {
      type: 'course-of-action',
      id: `course-of-action--${uuid()}`,
      ...byShop,
      name: action.length > 120 ? `${action.slice(0, 117)}...` : action,
      description: action,
      external_references: externalReferences,
    };
    objects.push(course);
    for (const indicatorId of indicatorIds) {
      objects.push({
        type: 'relationship',
        id: `relationship--${uuid()}`,
        ...byShop,
        relationship_type: 'mitigates',
        source_ref: course.id,
        target_ref: indicatorId,
      });
    }
  }
  return { type: 'bundle', id: `bundle--${uuid()}`, objects };
}
