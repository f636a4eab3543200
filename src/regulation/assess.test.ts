/**
 * The significance assessment against labelled scenarios: one JSON file per criterion and
 * boundary under fixtures/cases/<criterion>/, each with the profile it runs against, the
 * incident description and the expected outcome criterion by criterion.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { assessIncident } from './assess.js';
import { incidentDescriptionSchema } from './description.js';
import { entityProfileSchema, type EntityProfile } from './profile.js';

const fixtures = join(import.meta.dirname, 'fixtures');

interface ScenarioCase {
  note: string;
  profile: string;
  description: unknown;
  expected: {
    significant?: string;
    nis2Reporting?: boolean;
    plannedInterruption?: boolean;
    criteria?: Record<string, string>;
    /** Criteria that must not be evaluated for this entity type. */
    absent?: string[];
    missingInputs?: string[];
    reasonContains?: Record<string, string>;
    gdpr?: { notifyAuthority?: string; communicateToDataSubjects?: string };
  };
}

function caseFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory()
      ? caseFiles(join(dir, entry.name))
      : entry.name.endsWith('.json')
        ? [join(dir, entry.name)]
        : [],
  );
}

function profile(name: string): EntityProfile {
  return entityProfileSchema.parse(
    JSON.parse(readFileSync(join(fixtures, 'profiles', `${name}.json`), 'utf8')),
  );
}

const files = caseFiles(join(fixtures, 'cases')).sort();

describe('significance assessment scenarios', () => {
  it('has a case for every criterion', () => {
    const folders = new Set(files.map((file) => relative(join(fixtures, 'cases'), file).split('/')[0]));
    for (const criterion of [
      'cir-3-1-a',
      'cir-3-1-b',
      'cir-3-1-c',
      'cir-3-1-d',
      'cir-3-1-e',
      'cir-4',
      'cir-11-a',
      'cir-11-b',
      'cir-11-c',
      'cir-11-d',
      'nis2-23-3',
      'gdpr',
    ]) {
      expect(folders).toContain(criterion);
    }
  });

  it.each(files.map((file) => [relative(join(fixtures, 'cases'), file), file]))('%s', (_name, file) => {
    const scenario = JSON.parse(readFileSync(file, 'utf8')) as ScenarioCase;
    const result = assessIncident(
      incidentDescriptionSchema.parse(scenario.description),
      profile(scenario.profile),
    );
    const { expected } = scenario;
    if (expected.significant !== undefined)
      expect(result.significant, result.summary).toBe(expected.significant);
    if (expected.nis2Reporting !== undefined) expect(result.nis2Reporting).toBe(expected.nis2Reporting);
    if (expected.plannedInterruption !== undefined)
      expect(result.plannedInterruption !== undefined).toBe(expected.plannedInterruption);
    const outcomes = Object.fromEntries(
      [...result.criteria, ...result.gdpr.criteria].map((criterion) => [criterion.id, criterion.outcome]),
    );
    for (const [id, outcome] of Object.entries(expected.criteria ?? {}))
      expect(outcomes[id], id).toBe(outcome);
    for (const id of expected.absent ?? []) expect(outcomes).not.toHaveProperty(id);
    for (const input of expected.missingInputs ?? []) expect(result.missingInputs).toContain(input);
    for (const [id, text] of Object.entries(expected.reasonContains ?? {})) {
      const criterion = [...result.criteria, ...result.gdpr.criteria].find(
        (candidate) => candidate.id === id,
      );
      expect(criterion?.reason).toContain(text);
    }
    if (expected.gdpr) expect(result.gdpr).toMatchObject(expected.gdpr);
  });
});

describe('every criterion explains itself', () => {
  it('gives a reference, a reason and, when unknown, the inputs that would settle it', () => {
    const result = assessIncident(incidentDescriptionSchema.parse({}), profile('marketplace'));
    for (const criterion of [...result.criteria, ...result.gdpr.criteria]) {
      expect(criterion.reference).toMatch(/Art\. \d/);
      expect(criterion.reason.length).toBeGreaterThan(20);
      if (criterion.outcome === 'unknown' && criterion.id !== 'cir-3-1-g')
        expect(criterion.missing.length).toBeGreaterThan(0);
    }
    expect(result.summary).toMatch(/^Undetermined/);
  });

  it('states the threshold it compared against', () => {
    const result = assessIncident(
      incidentDescriptionSchema.parse({ impact: { directFinancialLossEur: 450_000 } }),
      profile('marketplace'),
    );
    const loss = result.criteria.find((criterion) => criterion.id === 'cir-3-1-a');
    expect(loss?.reason).toContain('EUR 400,000');
    expect(loss?.inputs).toEqual({
      'impact.directFinancialLossEur': 450_000,
      'entity.annualTurnoverEur': 8_000_000,
    });
  });
});

describe('entity profile and description validation', () => {
  it('names the field of an invalid value', () => {
    const parsed = incidentDescriptionSchema.safeParse({ impact: { euUsersAffected: -1 } });
    expect(parsed.success).toBe(false);
    expect(parsed.error?.issues[0]?.path).toEqual(['impact', 'euUsersAffected']);
    const badProfile = entityProfileSchema.safeParse({
      type: 'online_marketplace',
      timeZone: 'Mars/Olympus',
    });
    expect(badProfile.error?.issues[0]?.path).toEqual(['timeZone']);
  });

  it('refuses an unknown field rather than ignoring it', () => {
    expect(incidentDescriptionSchema.safeParse({ impact: { eu_users: 5 } }).success).toBe(false);
  });
});
