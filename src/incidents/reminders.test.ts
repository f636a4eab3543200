/**
 * Deadline reminders: a clock that turns due soon, then overdue, is reported once each; closed
 * cases are left alone; the reporting team gets each reminder by email through the outbox once,
 * even after a restart.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../core/clock.js';
import { Ledger } from '../ledger/index.js';
import { entityProfileSchema } from '../regulation/profile.js';
import { openStore } from '../store/index.js';
import type { Store } from '../store/store.js';
import { createEmailQueue } from '../response/notices/email-queue.js';
import { dueReminders, remindOnce } from './reminders.js';
import { IncidentCases } from './service.js';

const profile = entityProfileSchema.parse(
  JSON.parse(
    readFileSync(join(import.meta.dirname, '../regulation/fixtures/profiles/marketplace.json'), 'utf8'),
  ),
);
const HOUR = 3_600_000;

describe('deadline reminders', () => {
  let dir: string;
  let store: Store;
  let ledger: Ledger;
  const clock = new ManualClock(Date.parse('2026-11-20T08:00:00Z'));

  beforeEach(async () => {
    clock.set(Date.parse('2026-11-20T08:00:00Z'));
    dir = mkdtempSync(join(tmpdir(), 'ensuresec-reminders-'));
    store = await openStore({ dialect: 'sqlite', path: join(dir, 'ensuresec.db') });
    await store.migrate();
    ledger = await Ledger.open({ store, pseudonymisationKey: Buffer.alloc(32, 1), clock });
  });
  afterEach(async () => {
    await ledger.close();
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('reports a clock once when it is due soon and once when it is overdue', async () => {
    const cases = new IncidentCases({ store, ledger, clock, profile });
    const open = await cases.open(
      { title: 'Skimmer', severity: 'critical', awareAt: '2026-11-20T08:00:00Z' },
      'usr_a',
    );
    const closed = await cases.open(
      { title: 'False alarm', severity: 'low', awareAt: '2026-11-20T08:00:00Z' },
      'usr_a',
    );
    await cases.setStatus(closed.incident.id, 'closed', 'false positive', 'usr_a');
    const seen = new Set<string>();
    const options = { store, clock, profile };
    expect(await dueReminders(options, seen)).toEqual([]);
    clock.set(Date.parse('2026-11-21T03:00:00Z'));
    expect(await dueReminders(options, seen)).toEqual([
      expect.objectContaining({
        incidentId: open.incident.id,
        stage: 'early_warning',
        state: 'due_soon',
        dueAt: '2026-11-21T08:00:00.000Z',
      }),
    ]);
    expect(await dueReminders(options, seen)).toEqual([]);
    clock.advance(6 * HOUR);
    expect(
      (await dueReminders(options, seen)).map((reminder) => `${reminder.stage}:${reminder.state}`),
    ).toEqual(['early_warning:overdue']);
  });

  it('emails each reminder to the reporting team through the outbox, once even after a restart', async () => {
    const team = entityProfileSchema.parse({
      ...profile,
      reportingTeam: [{ name: 'Ann', email: 'ann@example.invalid' }, { email: 'ops@example.invalid' }],
    });
    const cases = new IncidentCases({ store, ledger, clock, profile: team });
    const open = await cases.open(
      { title: 'Skimmer', severity: 'critical', awareAt: '2026-11-20T08:00:00Z' },
      'usr_a',
    );
    const logged: string[] = [];
    const options = {
      store,
      clock,
      profile: team,
      mail: createEmailQueue({ ledger, clock, emailEnabled: true }),
      logger: { warn: (_: object, message: string) => void logged.push(message), error: () => undefined },
    };
    clock.set(Date.parse('2026-11-21T09:00:00Z'));
    await remindOnce(options, new Set());
    // A restarted server has forgotten what it reminded of; the outbox has not.
    await remindOnce(options, new Set());
    const { items } = await store.outbox.list({ audience: 'team', limit: 50 });
    expect(items.map((message) => message.recipient).sort()).toEqual([
      'ann@example.invalid',
      'ops@example.invalid',
    ]);
    const content = items[0]?.content;
    expect(content?.kind === 'email' && content.subject).toBe(
      `OVERDUE: early warning report for ${open.incident.id} was due 2026-11-21 09:00 GMT+1 (Europe/Berlin)`,
    );
    expect(logged.filter((line) => line.startsWith('incident report overdue'))).toHaveLength(2);
  });

  it('stays a log line when nobody is named to remind', async () => {
    const cases = new IncidentCases({ store, ledger, clock, profile });
    await cases.open({ title: 'Skimmer', severity: 'critical', awareAt: '2026-11-20T08:00:00Z' }, 'usr_a');
    clock.set(Date.parse('2026-11-21T09:00:00Z'));
    const reminded = await remindOnce(
      {
        store,
        clock,
        profile,
        mail: createEmailQueue({ ledger, clock, emailEnabled: true }),
        logger: { warn: () => undefined, error: () => undefined },
      },
      new Set(),
    );
    expect(reminded.map((reminder) => reminder.stage)).toContain('early_warning');
    expect((await store.outbox.list({ limit: 50 })).items).toEqual([]);
  });
});
