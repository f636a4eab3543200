/**
 * Report drafts of a labelled case (fixtures/skimmer-case.json): each stage has exactly the
 * fields the regulation lists, filled from the case, with what is missing flagged
 * (reports/fixtures/skimmer-expected.json).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { incidentEntrySchema, incidentSchema } from '../../core/records/index.js';
import { assessIncident } from '../../regulation/assess.js';
import { REPORT_STAGES } from '../../regulation/deadlines.js';
import { entityProfileSchema } from '../../regulation/profile.js';
import { descriptionOf, foldCase } from '../case.js';
import { buildDraft } from './drafts.js';
import { renderMarkdown } from './markdown.js';

const read = (path: string): unknown => JSON.parse(readFileSync(join(import.meta.dirname, path), 'utf8'));
const profile = entityProfileSchema.parse(read('../../regulation/fixtures/profiles/marketplace.json'));
const fixture = read('../fixtures/skimmer-case.json') as {
  incident: unknown;
  entries: unknown[];
  now: string;
};
const expected = read('fixtures/skimmer-expected.json') as Record<
  string,
  { fields: string[]; missing: string[]; values?: Record<string, unknown>; dueAt?: string }
>;

const nowMs = Date.parse(fixture.now);
const incident = incidentSchema.parse(fixture.incident);
const entries = fixture.entries.map((entry) => incidentEntrySchema.parse(entry));
// The case as the service leaves it: assessed once after the impact figures were recorded.
const unassessed = foldCase(incident, entries, profile, nowMs);
const assessment = assessIncident(descriptionOf(unassessed, []), profile);
const assessed = [
  ...entries,
  incidentEntrySchema.parse({
    ...entries.at(-1),
    id: 'ine_01KBX000000000000000000099',
    kind: 'assessment',
    data: { trigger: 'impact', assessment },
  }),
];
const view = foldCase(incident, assessed, profile, nowMs);

describe('report drafts', () => {
  it('has an expectation for every stage', () => {
    expect(Object.keys(expected).sort()).toEqual([...REPORT_STAGES].sort());
  });

  it.each([...REPORT_STAGES])('%s has the fields the regulation lists, missing ones flagged', (stage) => {
    const draft = buildDraft(stage, view, profile, nowMs);
    const want = expected[stage];
    expect(draft.fields.map((field) => field.key)).toEqual(want?.fields);
    expect(draft.missing).toEqual(want?.missing);
    for (const [key, value] of Object.entries(want?.values ?? {}))
      expect(draft.fields.find((field) => field.key === key)?.value).toEqual(value);
    if (want?.dueAt) expect(draft.dueAt).toBe(want.dueAt);
    const markdown = renderMarkdown(draft);
    expect(markdown).toContain(`# ${draft.title} — DRAFT`);
    expect(markdown.match(/\*\*MISSING\*\*/g)?.length ?? 0).toBe(draft.missing.length);
  });

  it('fills the GDPR notification from the case and the profile', () => {
    const draft = buildDraft('gdpr_notification', view, profile, nowMs);
    expect(draft.fields.find((field) => field.key === 'nature')?.value).toEqual({
      breach: ['confidentiality'],
      categoriesOfData: ['payment card data', 'names', 'billing addresses'],
      dataSubjectsApproximately: 1800,
      recordsApproximately: 1800,
    });
    expect(draft.fields.find((field) => field.key === 'contactPoint')?.value).toEqual({
      name: 'Data Protection Officer',
      email: 'dpo@example.invalid',
    });
  });

  it('asks for the reasons of the delay once the GDPR notification is late', () => {
    const late = foldCase(incident, assessed, profile, Date.parse('2026-11-24T00:00:00Z'));
    expect(buildDraft('gdpr_notification', late, profile, nowMs).missing).toEqual(['reasonsForDelay']);
  });
});
