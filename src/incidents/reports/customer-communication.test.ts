/**
 * Customer communication drafted from a case: the data-exfiltration case
 * (fixtures/exfiltration-case.json) calls for it under NIS2 Art. 23(1), 23(2) and GDPR Art. 34,
 * in the customers' language with what was done; an outage gets its own notice; an unsettled
 * case says so.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { incidentEntrySchema, incidentSchema, type IncidentEntry } from '../../core/records/index.js';
import { assessIncident } from '../../regulation/assess.js';
import { entityProfileSchema } from '../../regulation/profile.js';
import { descriptionOf, foldCase } from '../case.js';
import { draftCustomerCommunication } from './customer-communication.js';

const read = (path: string): unknown => JSON.parse(readFileSync(join(import.meta.dirname, path), 'utf8'));
const profile = entityProfileSchema.parse(read('../../regulation/fixtures/profiles/marketplace.json'));
const fixture = read('fixtures/exfiltration-case.json') as {
  incident: unknown;
  entries: unknown[];
  now: string;
};
const nowMs = Date.parse(fixture.now);
const incident = incidentSchema.parse(fixture.incident);
const entries = fixture.entries.map((entry) => incidentEntrySchema.parse(entry));

function assessed(timeline: IncidentEntry[]) {
  const assessment = assessIncident(descriptionOf(foldCase(incident, timeline, profile, nowMs), []), profile);
  const entry = {
    ...timeline[0]!,
    id: 'ine_01KBY00000000000000000000Z',
    kind: 'assessment' as const,
    data: { trigger: 'impact', assessment },
  };
  return foldCase(incident, [...timeline, entry], profile, nowMs);
}

describe('customer communication', () => {
  it('is called for by a significant, malicious breach with high risk, and says what was done', () => {
    const drafted = draftCustomerCommunication(assessed(entries), profile, { language: 'de-AT' });
    expect(drafted.duties.map((duty) => `${duty.id}:${duty.verdict}`)).toEqual([
      'nis2-23-1:yes',
      'nis2-23-2:yes',
      'gdpr-34:yes',
    ]);
    expect(drafted.recommended).toBe(true);
    expect(drafted.template).toBe('data_exposure');
    expect(drafted.language).toBe('de');
    expect(drafted.email.subject).toContain('Example Marketplace GmbH');
    expect(drafted.email.text).toContain(incident.id);
    expect(drafted.email.text).toContain('- Banned 203.0.113.50 at the gateway');
    expect(drafted.email.html).toContain('<li>Banned 203.0.113.50 at the gateway</li>');
    expect(drafted.email.text).toContain('dpo@example.invalid');
    // The heading of what was done is in the customer's language too.
    expect(drafted.email.text).toContain('Was wir getan haben\n-------------------');
    expect(drafted.email.text).not.toContain('What we have done');
    const french = draftCustomerCommunication(assessed(entries), profile, { language: 'fr' });
    expect(french.email.html).toContain('<h2>Ce que nous avons fait</h2>');
  });

  it('tells customers of an outage without claiming a data breach', () => {
    const outage = entries
      .filter((entry) => entry.kind !== 'evidence' && entry.kind !== 'mitigation')
      .map((entry) =>
        entry.kind === 'impact'
          ? {
              ...entry,
              data: {
                impact: {
                  availability: 'complete',
                  euUsersAffected: 300_000,
                  unavailabilityStart: '2026-11-20T06:00:00Z',
                  unavailabilityEnd: '2026-11-20T09:00:00Z',
                  suspectedMalicious: 'unknown',
                },
                personalData: { involved: false },
              },
            }
          : entry,
      );
    const drafted = draftCustomerCommunication(assessed(outage), profile);
    expect(drafted.template).toBe('service_disruption');
    expect(drafted.duties.find((duty) => duty.id === 'nis2-23-2')?.verdict).toBe('no');
    expect(drafted.email.text).toContain('was unavailable from 2026-11-20T06:00:00Z to 2026-11-20T09:00:00Z');
  });

  it('says when significance is not settled yet', () => {
    const drafted = draftCustomerCommunication(
      foldCase(incident, entries.slice(0, 2), profile, nowMs),
      profile,
    );
    expect(drafted.duties.map((duty) => duty.verdict)).toEqual([
      'undetermined',
      'undetermined',
      'undetermined',
    ]);
    expect(drafted.recommended).toBe(false);
  });
});
