import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { request } from 'undici';
import { MemoryBus } from '../../bus/memory/memory-bus.js';
import { ManualClock } from '../../core/clock.js';
import { EnsuresecError } from '../../core/errors.js';
import { startGateway, startUpstream } from '../../gateway/testing/harness.js';
import { compileModes } from '../../gateway/modes/definitions.js';
import { Ledger } from '../../ledger/service.js';
import { ledgerDialects } from '../../ledger/test-support.js';
import { sampleAlert } from '../../store/fixtures/sample-records.js';
import type { Store } from '../../store/store.js';
import { storeModeProvider } from './provider.js';
import { ModeService, type ModeAuthor } from './service.js';

const KEY = Buffer.from('modes-test-pseudonymisation-key');
const ADA: ModeAuthor = { id: 'usr_01JD3Q7Z9X8K2M4N6P8R0T2V4W', name: 'ada' };

for (const harness of await ledgerDialects('fail-safe modes')) {
  describe(`mode switching on ${harness.name}`, () => {
    const cleanups: Array<() => Promise<void>> = [];
    afterEach(async () => {
      for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
    });
    afterAll(() => harness.dispose());

    async function setup(clock = new ManualClock(Date.parse('2026-11-27T00:00:00Z'))) {
      const { store, reopen, sql } = await harness.openFreshWithSql();
      await store.migrate();
      const ledger = await Ledger.open({ store, pseudonymisationKey: KEY });
      const bus = new MemoryBus();
      const modes = new ModeService({ store, ledger, bus, clock, catalogue: compileModes() });
      cleanups.push(async () => {
        await bus.close();
        await ledger.close();
        await sql.close();
        await store.close();
      });
      return { store, ledger, bus, modes, clock, reopen };
    }

    async function history(
      store: Store,
      name: string,
    ): Promise<Array<{ kind: string; entry: Record<string, unknown> }>> {
      const rows = await store.ledger.entriesForRecord(`mode:${name}`);
      return rows.map((row) => ({ kind: row.kind, entry: JSON.parse(row.entry) as Record<string, unknown> }));
    }

    it('records who, why and until when, and keeps the mode across a restart', async () => {
      const { modes, store, reopen, clock } = await setup();
      const record = await modes.enable({
        name: 'checkout-freeze',
        ttlMs: 30 * 60_000,
        reason: 'card testing',
        author: ADA,
      });
      expect(record.until).toBe(new Date(clock.nowMs() + 30 * 60_000).toISOString());

      const again = await reopen();
      cleanups.push(() => again.close());
      const listed = await again.modes.listActive(clock.nowMs());
      expect(listed).toEqual([record]);

      const entries = await history(store, 'checkout-freeze');
      expect(entries.map((e) => e.kind)).toEqual(['mode.enabled']);
      expect(entries[0]?.entry['actor']).toBe(ADA.id);
      expect(JSON.stringify(entries[0]?.entry)).toContain('card testing');
    });

    it('lists every defined mode with its state', async () => {
      const { modes } = await setup();
      await modes.enable({ name: 'read-only', reason: 'maintenance', author: ADA });
      const views = await modes.list();
      expect(views.map((v) => v.name)).toEqual([
        'checkout-freeze',
        'lockdown',
        'login-shield',
        'read-only',
        'static-only',
      ]);
      expect(views.find((v) => v.name === 'read-only')?.active?.enabledBy).toBe('ada');
      expect(views.find((v) => v.name === 'lockdown')?.active).toBeNull();
    });

    it('disables by hand with a reason, and refuses to disable a mode that is off', async () => {
      const { modes, store } = await setup();
      await modes.enable({ name: 'lockdown', reason: 'breach', author: ADA });
      const ended = await modes.disable({ name: 'lockdown', reason: 'contained', author: ADA });
      expect(ended.disabledBy).toBe('ada');
      expect(ended.disabledReason).toBe('contained');
      expect(await store.modes.get('lockdown')).toBeUndefined();
      expect((await history(store, 'lockdown')).map((e) => e.kind)).toEqual([
        'mode.enabled',
        'mode.disabled',
      ]);
      await expect(modes.disable({ name: 'lockdown', reason: 'again', author: ADA })).rejects.toMatchObject({
        code: 'conflict',
      });
    });

    it('refuses a change with no valid author, no reason, an unknown mode or a bad ttl, and logs nothing', async () => {
      const { modes, store } = await setup();
      const attempts = [
        modes.enable({ name: 'read-only', reason: 'x', author: { id: '', name: 'ada' } }),
        modes.enable({ name: 'read-only', reason: 'x', author: undefined as unknown as ModeAuthor }),
        modes.enable({ name: 'read-only', reason: '   ', author: ADA }),
        modes.enable({ name: 'no-such-mode', reason: 'x', author: ADA }),
        modes.enable({ name: 'read-only', reason: 'x', ttlMs: -5, author: ADA }),
      ];
      const codes = await Promise.all(
        attempts.map((attempt) =>
          attempt.then(
            () => 'ok',
            (error: unknown) => (error as EnsuresecError).code,
          ),
        ),
      );
      expect(codes).toEqual([
        'validation_failed',
        'validation_failed',
        'validation_failed',
        'mode_unknown',
        'validation_failed',
      ]);
      expect(await store.ledger.size()).toBe(0);
      expect(await store.modes.listActive(0)).toEqual([]);
    });

    it('ends a mode when its time is up, signed by the system', async () => {
      const { modes, store, clock } = await setup();
      await modes.enable({ name: 'static-only', ttlMs: 60_000, reason: 'deploy', author: ADA });
      expect(await modes.endDue()).toEqual([]);
      clock.advance(60_001);
      expect(await store.modes.listActive(clock.nowMs())).toEqual([]);
      expect(await modes.endDue()).toEqual(['static-only']);
      const entries = await history(store, 'static-only');
      expect(entries.map((e) => e.kind)).toEqual(['mode.enabled', 'mode.disabled']);
      expect(entries[1]?.entry['actor']).toBe('system');
    });

    it('ends a mode by its recovery condition once the rule has been quiet long enough', async () => {
      const { modes, store, clock } = await setup();
      await modes.enable({
        name: 'login-shield',
        reason: 'credential stuffing',
        author: ADA,
        recovery: { ruleId: 'credential-stuffing', quietMs: 15 * 60_000 },
      });
      clock.advance(10 * 60_000);
      await store.alerts.insert(
        sampleAlert({ ruleId: 'credential-stuffing', time: new Date(clock.nowMs()).toISOString() }),
      );
      clock.advance(10 * 60_000);
      expect(await modes.endDue()).toEqual([]);
      clock.advance(6 * 60_000);
      expect(await modes.endDue()).toEqual(['login-shield']);
      const last = (await history(store, 'login-shield')).at(-1);
      expect(JSON.stringify(last?.entry)).toContain('recovered: no alert of credential-stuffing for 15 min');
    });

    it('reaches two gateways within 1 s over the in-process bus', async () => {
      const { modes, store, bus } = await setup(new ManualClock(Date.now()));
      const upstream = await startUpstream();
      // Polling is slowed to a minute: only the bus can make the change arrive in time.
      const options = { modes: { provider: storeModeProvider(store, bus), refreshMs: 60_000 } };
      const first = await startGateway(upstream.url, options);
      const second = await startGateway(upstream.url, options);
      cleanups.push(async () => {
        await first.gateway.close();
        await second.gateway.close();
        await upstream.close();
      });

      const statusAt = async (base: string): Promise<number> => {
        const res = await request(`${base}/checkout`, { method: 'POST', body: 'x=1' });
        await res.body.text();
        return res.statusCode;
      };
      expect(await statusAt(first.base)).toBe(200);

      const startedMs = Date.now();
      await modes.enable({ name: 'checkout-freeze', ttlMs: 60_000, reason: 'propagation test', author: ADA });
      const seenMs: number[] = [];
      for (const gw of [first, second]) {
        while ((await statusAt(gw.base)) !== 503) {
          if (Date.now() - startedMs > 1_000) throw new Error('mode not in force within 1 s');
          await new Promise((resolve) => setTimeout(resolve, 10));
        }
        seenMs.push(Date.now() - startedMs);
      }
      expect(Math.max(...seenMs)).toBeLessThanOrEqual(1_000);

      await modes.disable({ name: 'checkout-freeze', reason: 'done', author: ADA });
      const endedMs = Date.now();
      for (const gw of [first, second]) {
        while ((await statusAt(gw.base)) !== 200) {
          if (Date.now() - endedMs > 1_000) throw new Error('mode still in force after 1 s');
          await new Promise((resolve) => setTimeout(resolve, 10));
        }
      }
      expect(second.gateway.activeModes).toEqual([]);
    });
  });
}
