/** Deadline clocks against the table in fixtures/clocks/cases.json, and month arithmetic at its edges. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { addMonthsUtc } from './calendar.js';
import { computeClocks, type ClockInputs, type Submission } from './deadlines.js';

interface ClockCase {
  name: string;
  inputs: Partial<Omit<ClockInputs, 'nowMs' | 'submissions'>> & { now: string; submissions?: Submission[] };
  expected: Record<string, Record<string, unknown>>;
}

const cases = JSON.parse(
  readFileSync(join(import.meta.dirname, 'fixtures/clocks/cases.json'), 'utf8'),
) as ClockCase[];

describe('deadline clocks', () => {
  it.each(cases.map((entry) => [entry.name, entry]))('%s', (_name, entry) => {
    const { now, ...rest } = entry.inputs;
    const clocks = computeClocks({
      submissions: [],
      intermediateRequests: [],
      significant: 'yes',
      nis2Reporting: true,
      gdprNotification: 'no',
      gdprProcessor: false,
      trustServiceProvider: false,
      timeZone: 'UTC',
      ...rest,
      nowMs: Date.parse(now),
    });
    for (const [stage, expected] of Object.entries(entry.expected)) {
      expect(
        clocks.find((candidate) => candidate.stage === stage),
        stage,
      ).toMatchObject(expected);
    }
  });
});

describe('one calendar month in UTC', () => {
  it.each([
    ['2026-01-15T23:30:00.000Z', '2026-02-15T23:30:00.000Z'],
    ['2026-01-31T10:00:00.000Z', '2026-02-28T10:00:00.000Z'],
    ['2028-01-31T10:00:00.000Z', '2028-02-29T10:00:00.000Z'],
    ['2026-03-31T00:00:00.000Z', '2026-04-30T00:00:00.000Z'],
    ['2026-12-31T12:00:00.000Z', '2027-01-31T12:00:00.000Z'],
  ])('%s + 1 month is %s', (from, to) => {
    expect(new Date(addMonthsUtc(Date.parse(from), 1)).toISOString()).toBe(to);
  });

  it('goes back six months to the same day, or the month end', () => {
    expect(new Date(addMonthsUtc(Date.parse('2026-08-31T00:00:00Z'), -6)).toISOString()).toBe(
      '2026-02-28T00:00:00.000Z',
    );
  });
});
