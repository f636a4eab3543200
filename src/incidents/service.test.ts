/**
 * Incident cases on every store dialect (SQLite always, PostgreSQL when reachable), with the
 * real Ledger: the workflow, legal timestamps that are never edited, impact and re-assessment,
 * a person's override, recurring incidents found across cases, and every committed change
 * announced on the (in-process) bus.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { TOPICS, type IncidentChange } from '../bus/bus.js';
import { MemoryBus } from '../bus/memory/memory-bus.js';
import { ManualClock } from '../core/clock.js';
import { EnsuresecError } from '../core/errors.js';
import { Ledger } from '../ledger/index.js';
import { entityProfileSchema } from '../regulation/profile.js';
import {
  postgresAvailability,
  selectedDialects,
  sqliteHarness,
  type DialectHarness,
} from '../store/fixtures/dialects.js';
import type { Store } from '../store/store.js';
import { IncidentCases } from './service.js';
import { impactData, type ImpactData } from './timeline.js';

const profile = entityProfileSchema.parse(
  JSON.parse(
    readFileSync(join(import.meta.dirname, '../regulation/fixtures/profiles/marketplace.json'), 'utf8'),
  ),
);
const formjacking = impactData.parse(
  JSON.parse(readFileSync(join(import.meta.dirname, 'fixtures/formjacking-impact.json'), 'utf8')),
);

async function codeOf(promise: Promise<unknown>): Promise<string | undefined> {
  return promise.then(
    () => undefined,
    (error: unknown) => (error instanceof EnsuresecError ? error.code : String(error)),
  );
}

const harnesses: DialectHarness[] = [];
if (selectedDialects().includes('sqlite')) harnesses.push(sqliteHarness());
if (selectedDialects().includes('postgres')) {
  const availability = await postgresAvailability();
  if ('harness' in availability) harnesses.push(availability.harness);
  else if (process.env['CI']) throw new Error(availability.unavailableReason);
  else console.warn(`skipping incident cases on PostgreSQL: ${availability.unavailableReason}`);
}

for (const harness of harnesses) {
  describe(`incident cases on ${harness.name}`, () => {
    let store: Store;
    let ledger: Ledger;
    let cases: IncidentCases;
    const clock = new ManualClock(Date.parse('2026-11-20T09:00:00.000Z'));

    beforeEach(async () => {
      clock.set(Date.parse('2026-11-20T09:00:00.000Z'));
      store = await harness.openFresh();
      await store.migrate();
      ledger = await Ledger.open({ store, pseudonymisationKey: Buffer.alloc(32, 7), clock });
      cases = new IncidentCases({ store, ledger, clock, profile });
    });
    afterEach(async () => {
      await ledger.close();
      await store.close();
    });
    afterAll(() => harness.dispose());

    it('opens a case with its legal timestamps and starts the clocks from awareness', async () => {
      const view = await cases.open(
        {
          title: 'Skimmer on checkout',
          severity: 'critical',
          detectedAt: '2026-11-20T07:40:00Z',
          awareAt: '2026-11-20T08:00:00Z',
        },
        'usr_analyst',
      );
      expect(view.incident.status).toBe('new');
      expect(view.legalTimes.aware?.time).toBe('2026-11-20T08:00:00Z');
      expect(view.clocks.find((clock) => clock.stage === 'early_warning')).toMatchObject({
        dueAt: '2026-11-21T08:00:00.000Z',
        provisional: true,
        dueLocal: '2026-11-21 09:00 GMT+1 (Europe/Berlin)',
      });
      const logged = await store.ledger.entriesForRecord(view.legalTimes.aware?.entryId ?? '');
      expect(logged.map((row) => row.kind)).toEqual(['incident.entry_appended']);
    });

    it('never edits a legal timestamp: a second one is refused, a correction is a new entry', async () => {
      const view = await cases.open(
        { title: 'Outage', severity: 'high', awareAt: '2026-11-20T08:00:00Z' },
        'usr_a',
      );
      const id = view.incident.id;
      expect(await codeOf(cases.recordLegalTime(id, 'aware', '2026-11-20T07:00:00Z', 'usr_b'))).toBe(
        'incident_time_already_recorded',
      );
      const original = view.legalTimes.aware?.entryId ?? '';
      expect(
        await codeOf(
          cases.append(
            id,
            {
              kind: 'legal_time',
              data: { clock: 'aware', time: '2026-11-20T07:00:00Z', corrects: original },
            },
            'usr_b',
          ),
        ),
      ).toBe('validation_failed');
      await cases.append(
        id,
        {
          kind: 'legal_time',
          data: {
            clock: 'aware',
            time: '2026-11-20T07:00:00Z',
            corrects: original,
            reason: 'the on-call log shows 07:00',
          },
        },
        'usr_b',
      );
      const corrected = await cases.view(id);
      expect(corrected.legalTimes.aware).toMatchObject({
        time: '2026-11-20T07:00:00Z',
        corrected: [{ time: '2026-11-20T08:00:00Z', entryId: original }],
      });
      expect(corrected.timeline.filter((entry) => entry.kind === 'legal_time')).toHaveLength(2);
      expect(
        await codeOf(
          cases.append(
            id,
            {
              kind: 'legal_time',
              data: { clock: 'aware', time: '2026-11-20T06:00:00Z', corrects: original, reason: 'x' },
            },
            'usr_b',
          ),
        ),
      ).toBe('incident_time_already_recorded');
    });

    it('walks the workflow, refuses skipped steps and records when the incident was handled', async () => {
      const { incident } = await cases.open({ title: 'Card testing', severity: 'medium' }, 'usr_a');
      expect(await codeOf(cases.setStatus(incident.id, 'recovered', undefined, 'usr_a'))).toBe(
        'incident_transition_invalid',
      );
      for (const status of ['triaged', 'contained', 'eradicated'] as const)
        await cases.setStatus(incident.id, status, undefined, 'usr_a');
      clock.advance(3_600_000);
      const recovered = await cases.setStatus(incident.id, 'recovered', undefined, 'usr_a');
      expect(recovered.legalTimes.handled?.time).toBe('2026-11-20T10:00:00.000Z');
      const closed = await cases.setStatus(incident.id, 'closed', undefined, 'usr_a');
      expect(closed.incident.status).toBe('closed');
      expect(closed.legalTimes.handled?.time).toBe('2026-11-20T10:00:00.000Z');
      expect(
        closed.timeline.filter((entry) => entry.kind === 'status').map((entry) => entry.data['to']),
      ).toEqual(['triaged', 'contained', 'eradicated', 'recovered', 'closed']);
      expect(await codeOf(cases.setStatus(incident.id, 'triaged', undefined, 'usr_a'))).toBe(
        'incident_transition_invalid',
      );
      expect(
        (await cases.setStatus(incident.id, 'triaged', 'the skimmer came back', 'usr_a')).incident.status,
      ).toBe('triaged');
    });

    it("re-assesses when impact figures are recorded, and keeps a person's override with its reason", async () => {
      const { incident } = await cases.open(
        { title: 'Skimmer', severity: 'critical', awareAt: '2026-11-20T08:00:00Z' },
        'usr_a',
      );
      const assessed = await cases.recordImpact(incident.id, formjacking, 'usr_a');
      expect(assessed.assessment?.significant).toBe('yes');
      expect(assessed.assessment?.criteria.find((criterion) => criterion.id === 'cir-11-c')?.outcome).toBe(
        'met',
      );
      expect(assessed.assessment?.gdpr.notifyAuthority).toBe('yes');
      expect(assessed.clocks.find((clock) => clock.stage === 'gdpr_notification')?.dueAt).toBe(
        '2026-11-23T08:00:00.000Z',
      );
      const overridden = await cases.assess(incident.id, 'usr_lead', 'request', {
        significant: 'no',
        reason: 'test shop, no real customers',
      });
      expect(overridden.significant).toBe('no');
      expect(overridden.decision).toMatchObject({
        significant: 'no',
        confirms: false,
        reason: 'test shop, no real customers',
        actor: 'usr_lead',
      });
      expect(overridden.clocks.find((clock) => clock.stage === 'early_warning')?.state).toBe('not_required');
      const confirmed = await cases.assess(incident.id, 'usr_lead', 'request', {
        significant: 'yes',
        reason: 'real customers after all',
      });
      expect(confirmed.legalTimes.classified_significant?.time).toBe('2026-11-20T09:00:00.000Z');
      expect(confirmed.timeline.filter((entry) => entry.kind === 'significance_decision')).toHaveLength(2);
    });

    it('finds recurring incidents of the same root cause across cases (CIR Art. 4)', async () => {
      const small = (loss: number): ImpactData => ({
        impact: {
          ...formjacking.impact,
          dataCompromised: false,
          unauthorisedAccess: false,
          directFinancialLossEur: loss,
        },
        personalData: { involved: false },
      });
      const first = await cases.open(
        { title: 'Stuffing 1', severity: 'medium', detectedAt: '2026-09-01T10:00:00Z' },
        'usr_a',
      );
      await cases.append(
        first.incident.id,
        { kind: 'root_cause', data: { key: 'credential-stuffing', description: 'leaked list' } },
        'usr_a',
      );
      expect(
        (await cases.recordImpact(first.incident.id, small(250_000), 'usr_a')).assessment?.significant,
      ).toBe('no');
      const second = await cases.open(
        { title: 'Stuffing 2', severity: 'medium', detectedAt: '2026-11-19T10:00:00Z' },
        'usr_a',
      );
      const beforeRootCause = await cases.recordImpact(second.incident.id, small(200_000), 'usr_a');
      expect(
        beforeRootCause.assessment?.criteria.find((criterion) => criterion.id === 'cir-4')?.outcome,
      ).toBe('unknown');
      // Recording the root cause re-assesses the case by itself.
      await cases.append(
        second.incident.id,
        { kind: 'root_cause', data: { key: 'credential-stuffing', description: 'same list' } },
        'usr_a',
      );
      const view = await cases.view(second.incident.id);
      expect(view.assessment?.criteria.find((criterion) => criterion.id === 'cir-4')).toMatchObject({
        outcome: 'met',
        inputs: expect.objectContaining({ matchingIncidents: [first.incident.id] }),
      });
      expect(view.significant).toBe('yes');
    });

    it('announces each committed change on the bus once it is stored, and nothing for a refused one', async () => {
      const bus = new MemoryBus();
      const announced: { change: IncidentChange; stored: boolean }[] = [];
      bus.subscribe<IncidentChange>(
        TOPICS.incidents,
        async ({ data }) => {
          const stored = await store.incidents.get(data.incidentId);
          announced.push({ change: data, stored: stored?.status === data.status });
        },
        { group: 'test' },
      );
      const live = new IncidentCases({ store, ledger, clock, profile, bus });
      try {
        const { incident } = await live.open(
          { title: 'Skimmer on checkout', severity: 'critical', awareAt: '2026-11-20T08:00:00Z' },
          'usr_a',
        );
        const id = incident.id;
        expect(await codeOf(live.setStatus(id, 'closed', undefined, 'usr_a'))).toBe(
          'incident_transition_invalid',
        );
        expect(await codeOf(live.recordLegalTime(id, 'aware', '2026-11-20T07:00:00Z', 'usr_a'))).toBe(
          'incident_time_already_recorded',
        );
        await live.setStatus(id, 'triaged', undefined, 'usr_a');
        await live.append(id, { kind: 'note', data: { text: 'Card data of j.doe@example.com' } }, 'usr_a');
        await bus.drain();
        expect(announced).toEqual([
          { change: { type: 'created', incidentId: id, status: 'new' }, stored: true },
          { change: { type: 'updated', incidentId: id, status: 'new' }, stored: true },
          { change: { type: 'updated', incidentId: id, status: 'triaged' }, stored: true },
          { change: { type: 'updated', incidentId: id, status: 'triaged' }, stored: true },
        ]);
        expect(JSON.stringify(announced)).not.toMatch(/Skimmer|example\.com/);
      } finally {
        await bus.close();
      }
    });

    it('refuses to assess without an entity profile', async () => {
      const bare = new IncidentCases({ store, ledger, clock, profile: undefined });
      const { incident } = await bare.open({ title: 'x', severity: 'low' }, 'usr_a');
      expect(await codeOf(bare.assess(incident.id, 'usr_a'))).toBe('entity_profile_missing');
      expect(await codeOf(bare.view('inc_01JD3Q7Z9X8K2M4N6P8R0T2V4W'))).toBe('not_found');
    });
  });
}
