import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { pino } from 'pino';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { TOPICS } from '../../bus/bus.js';
import { MemoryBus } from '../../bus/memory/memory-bus.js';
import { ManualClock } from '../../core/clock.js';
import { alertSchema, securityEventSchema, type Alert, type PlaybookRun } from '../../core/records/index.js';
import { compileModes } from '../../gateway/modes/definitions.js';
import { IncidentCases } from '../../incidents/service.js';
import { Ledger } from '../../ledger/service.js';
import { ledgerDialects } from '../../ledger/test-support.js';
import { ModeService } from '../modes/service.js';
import { createNotifier } from '../notices/notify.js';
import { startWebhookReceiver, type WebhookReceiver } from '../outbox/fixtures/receivers.js';
import { loadPlaybooks } from './load.js';
import { PlaybookService } from './service.js';

const FIXTURES = fileURLToPath(new URL('./fixtures/', import.meta.url));
const KEY = Buffer.from('playbooks-test-pseudonymisation-key');
const SECRET = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
const ADA = { id: 'usr_01JD3Q7Z9X8K2M4N6P8R0T2V4W', name: 'ada' };
const readJson = (name: string): unknown => JSON.parse(readFileSync(`${FIXTURES}${name}`, 'utf8'));
const ALERT = alertSchema.parse(readJson('alert.json'));
const EVENTS = (readJson('events.json') as unknown[]).map((event) => securityEventSchema.parse(event));

for (const harness of await ledgerDialects('playbooks')) {
  describe(`playbooks on ${harness.name}`, () => {
    const cleanups: Array<() => Promise<void>> = [];
    afterEach(async () => {
      for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
    });
    afterAll(() => harness.dispose());

    /** Only the named fixture playbooks are loaded, so each test sees its own runs. */
    async function setup(names: string[], shopAnswer: (n: number) => number = () => 200) {
      const clock = new ManualClock(Date.parse('2026-11-27T10:00:05Z'));
      const store = await harness.openFresh();
      await store.migrate();
      const ledger = await Ledger.open({ store, pseudonymisationKey: KEY });
      const bus = new MemoryBus();
      const receiver: WebhookReceiver = await startWebhookReceiver(SECRET, shopAnswer);
      const partners: WebhookReceiver = await startWebhookReceiver(SECRET, () => 200);
      cleanups.push(async () => {
        await receiver.close();
        await partners.close();
        await bus.close();
        await ledger.close();
        await store.close();
      });
      await store.events.insertMany(EVENTS);
      await store.alerts.insert(ALERT);
      const playbooks = new PlaybookService(
        {
          store,
          ledger,
          bus,
          clock,
          logger: pino({ level: 'silent' }),
          modes: new ModeService({ store, ledger, bus, clock, catalogue: compileModes() }),
          notifier: createNotifier({
            ledger,
            pseudonymisationKey: KEY,
            shop: { name: 'Test shop', contact: {} },
            partners: [{ id: 'psp', name: 'PayCo', role: 'payment', webhookUrl: partners.url }],
            emailEnabled: true,
            clock,
          }),
          incidents: new IncidentCases({ store, ledger, clock, profile: undefined }),
          shop: { url: receiver.url, secret: SECRET, timeoutMs: 2_000 },
        },
        loaded(names),
      );
      cleanups.push(() => playbooks.close());
      return { store, ledger, bus, clock, receiver, playbooks };
    }

    function loaded(names: string[]) {
      const all = loadPlaybooks({ builtins: false, dirs: [`${FIXTURES}playbooks`] });
      expect(all.problems).toEqual([]);
      return { ...all, playbooks: all.playbooks.filter((entry) => names.includes(entry.playbook.name)) };
    }

    const only = (playbook: string, runs: PlaybookRun[]) => runs.filter((run) => run.playbook === playbook);

    it('runs every kind of step in order and records each outcome through the ledger', async () => {
      const { store, receiver, playbooks } = await setup(['every-step']);
      const [run] = only('every-step', await playbooks.handleAlert(ALERT));
      expect(run?.status).toBe('completed');
      expect(run?.steps.map((step) => [step.name, step.status])).toEqual([
        ['ban', 'succeeded'],
        ['shield', 'succeeded'],
        ['open', 'succeeded'],
        ['customers', 'succeeded'],
        ['partners', 'succeeded'],
        ['indicators', 'succeeded'],
        ['lock', 'succeeded'],
        ['never', 'skipped'],
      ]);

      const decision = await store.decisions.get(String(run?.steps[0]?.output['decisionId']));
      expect(decision).toMatchObject({
        action: 'ban',
        scope: 'ip',
        value: '203.0.113.7',
        origin: 'playbook',
      });
      expect(decision?.originRef).toBe('playbook:every-step');
      expect((await store.modes.get('login-shield'))?.enabledBy).toBe('playbook:every-step');

      const incidentId = String(run?.steps[2]?.output['incidentId']);
      const incident = await store.incidents.get(incidentId);
      expect(incident).toMatchObject({ title: 'Credential stuffing from 203.0.113.7', alertIds: [ALERT.id] });

      const customers = await store.outbox.list({ audience: 'customers', reference: incidentId });
      expect(customers.items.map((message) => message.recipient).sort()).toEqual([
        'ann@example.com',
        'bob@example.com',
      ]);
      const german = customers.items.find((message) => message.recipient === 'ann@example.com');
      expect(german?.content?.kind === 'email' && german.content.text).toMatch(/Passw/);
      expect((await store.outbox.list({ audience: 'partners', reference: incidentId })).items).toHaveLength(
        1,
      );
      expect((await store.outbox.list({ audience: 'partners', reference: ALERT.id })).items).toHaveLength(1);

      expect(receiver.processed).toEqual([`${run?.id}_6`]);
      const call = JSON.parse(receiver.requests[0]?.body ?? '{}') as {
        type: string;
        data: Record<string, string>;
      };
      expect(call.type).toBe('ensuresec.playbook.lock-account');
      expect(call.data).toMatchObject({ action: 'lock-account', incident: incidentId, alertId: ALERT.id });
      expect(run?.steps[6]?.output['status']).toBe(200);

      const history = await store.ledger.entriesForRecord(run?.id as string);
      expect(history.map((entry) => entry.kind)).toEqual([
        'playbook.run',
        ...Array<string>(8).fill('playbook.step'),
        'playbook.run_finished',
      ]);
      expect(history.map((entry) => entry.entry).join('\n')).not.toContain('203.0.113.7');
    });

    it('in a dry run records what each step would do and changes nothing', async () => {
      const { store, receiver, playbooks } = await setup(['every-step']);
      const run = await playbooks.dryRun('every-step', ALERT);
      expect(run.dryRun).toBe(true);
      expect(run.status).toBe('completed');
      expect(run.steps.map((step) => step.status)).toEqual([...Array<string>(7).fill('planned'), 'skipped']);
      expect(run.steps[0]?.detail).toBe('would ban ip 203.0.113.7 for 1h');
      expect(run.steps[1]?.detail).toBe('would switch on fail-safe mode login-shield for 30m');
      expect((await store.decisions.list({})).items).toEqual([]);
      expect(await store.modes.listActive(Date.now())).toEqual([]);
      expect((await store.incidents.list({})).items).toEqual([]);
      expect((await store.outbox.list({})).items).toEqual([]);
      expect(receiver.requests).toEqual([]);
      // A dry run does not count as the playbook's run for this alert.
      expect(only('every-step', await playbooks.handleAlert(ALERT))).toHaveLength(1);
    });

    it('waits for an approval and goes on once a person approves', async () => {
      const { store, playbooks } = await setup(['approval']);
      const [waiting] = only('approval', await playbooks.handleAlert(ALERT));
      expect(waiting?.status).toBe('waiting');
      expect(waiting?.steps.map((step) => step.status)).toEqual(['waiting']);
      expect(waiting?.approval?.message).toBe('Ban 203.0.113.7?');
      const bans = async () =>
        (await store.decisions.list({ origin: 'playbook' })).items.filter(
          (d) => d.originRef === 'playbook:approval',
        );
      expect(await bans()).toEqual([]);

      const approved = await playbooks.approve(waiting?.id as string, 'approve', ADA, 'seen the alert');
      expect(approved.status).toBe('completed');
      expect(approved.steps.map((step) => step.status)).toEqual(['approved', 'succeeded']);
      expect(approved.approval).toMatchObject({
        decision: 'approve',
        decidedBy: 'ada',
        reason: 'seen the alert',
      });
      expect(await bans()).toHaveLength(1);
      await expect(playbooks.approve(waiting?.id as string, 'reject', ADA)).rejects.toMatchObject({
        code: 'playbook_run_not_waiting',
      });
      const kinds = (await store.ledger.entriesForRecord(waiting?.id as string)).map((entry) => entry.kind);
      expect(kinds).toContain('playbook.approval');
    });

    it('applies the default when nobody decides before the timeout', async () => {
      const { store, clock, playbooks } = await setup(['approval']);
      const [waiting] = only('approval', await playbooks.handleAlert(ALERT));
      clock.advance(14 * 60_000);
      expect(await playbooks.expireApprovals()).toBe(0);
      clock.advance(2 * 60_000);
      expect(await playbooks.expireApprovals()).toBe(1);
      const run = await playbooks.getRun(waiting?.id as string);
      expect(run.status).toBe('rejected');
      expect(run.approval).toMatchObject({ decision: 'reject', decidedBy: 'system' });
      expect(run.steps.map((step) => step.status)).toEqual(['rejected']);
      const bans = (await store.decisions.list({})).items.filter((d) => d.originRef === 'playbook:approval');
      expect(bans).toEqual([]);
    });

    it('goes on after a failing step with onError continue and stops at one with onError stop', async () => {
      const { store, receiver, playbooks } = await setup(['failing'], () => 500);
      const [run] = only('failing', await playbooks.handleAlert(ALERT));
      expect(run?.steps.map((step) => [step.name, step.status, step.error?.code])).toEqual([
        ['unknown-mode', 'failed', 'mode_unknown'],
        ['missing-variable', 'failed', 'playbook_step_failed'],
        ['challenge', 'succeeded', undefined],
        ['shop-refuses', 'failed', 'shop_call_failed'],
      ]);
      expect(run?.steps[1]?.error?.message).toContain('{{ alert.subject.accountId }} has no value');
      expect(run?.steps[3]?.error?.message).toContain('HTTP 500');
      expect(run?.status).toBe('failed');
      expect(run?.reason).toMatch(/^step shop-refuses failed/);
      expect(receiver.requests).toHaveLength(1);
      const made = (await store.decisions.list({})).items.filter((d) => d.originRef === 'playbook:failing');
      expect(made.map((decision) => decision.action)).toEqual(['challenge']);
    });

    it('runs once per alert however often the bus delivers it, and keeps a cooldown per entity', async () => {
      const { store, bus, clock, playbooks } = await setup(['cooldown', 'every-step']);
      playbooks.start();
      await bus.publish(TOPICS.alerts, ALERT, { id: ALERT.id });
      await bus.publish(TOPICS.alerts, ALERT, { id: `${ALERT.id}-redelivered` });
      await bus.drain();
      expect(only('cooldown', await playbooks.handleAlert(ALERT))).toEqual([]);
      const runsOf = async (playbook: string) => (await store.playbookRuns.list({ playbook })).items;
      expect(await runsOf('cooldown')).toHaveLength(1);
      expect(await runsOf('every-step')).toHaveLength(1);

      const again: Alert = { ...ALERT, id: 'alr_01JD3Q7Z9X8K2M4N6P8R0T2V5A' };
      expect(only('cooldown', await playbooks.handleAlert(again))).toEqual([]);
      const other: Alert = {
        ...again,
        id: 'alr_01JD3Q7Z9X8K2M4N6P8R0T2V5B',
        entity: { type: 'ip', value: '198.51.100.9' },
      };
      expect(only('cooldown', await playbooks.handleAlert(other))).toHaveLength(1);
      clock.advance(11 * 60_000);
      expect(only('cooldown', await playbooks.handleAlert(again))[0]?.status).toBe('completed');
    });

    it('starts nothing for an alert its triggers do not take', async () => {
      const { playbooks } = await setup(['every-step', 'approval', 'failing', 'cooldown']);
      const low: Alert = {
        ...ALERT,
        severity: 'low',
        ruleId: 'ecommerce.scalping.fast-checkout',
        detector: 'scalping',
      };
      expect(await playbooks.handleAlert(low)).toEqual([]);
      const quiet: Alert = { ...ALERT, id: 'alr_01JD3Q7Z9X8K2M4N6P8R0T2V5C', count: 2 };
      expect(only('every-step', await playbooks.handleAlert(quiet))).toEqual([]);
    });
  });
}
