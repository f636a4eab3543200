/** The outbox's store collection on every dialect: idempotent enqueue, leases, settling, requeue. */
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { ledgerDialects } from '../../ledger/test-support.js';
import type { Store } from '../../store/store.js';
import { sampleOutboxMessage } from './fixtures/messages.js';

const T0 = Date.parse('2026-11-27T00:00:00Z');

for (const harness of await ledgerDialects('notice outbox store')) {
  describe(`notice outbox store on ${harness.name}`, () => {
    const cleanups: Array<() => Promise<void>> = [];
    afterEach(async () => {
      for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
    });
    afterAll(() => harness.dispose());

    async function open(): Promise<{ store: Store; reopen: () => Promise<Store> }> {
      const { store, sql, reopen } = await harness.openFreshWithSql();
      await store.migrate();
      cleanups.push(async () => {
        await sql.close();
        await store.close();
      });
      return { store, reopen };
    }

    it('queues a message once per idempotency key', async () => {
      const { store } = await open();
      const first = sampleOutboxMessage({ idempotencyKey: 'ntk_same' }, T0);
      expect(await store.outbox.enqueue(first)).toBe(true);
      expect(await store.outbox.enqueue(sampleOutboxMessage({ idempotencyKey: 'ntk_same' }, T0 + 1))).toBe(
        false,
      );
      const page = await store.outbox.list({});
      expect(page.items.map((message) => message.id)).toEqual([first.id]);
      expect(await store.outbox.get(first.id)).toEqual(first);
    });

    it('claims only due messages, once, and again when the lease ran out', async () => {
      const { store } = await open();
      const due = sampleOutboxMessage({}, T0);
      const later = sampleOutboxMessage({ nextAttemptAt: new Date(T0 + 60_000).toISOString() }, T0 + 1);
      await store.outbox.enqueue(due);
      await store.outbox.enqueue(later);

      const claimed = await store.outbox.claimDue({ nowMs: T0, limit: 10, leaseMs: 1_000, leaseToken: 'a' });
      expect(claimed.map((message) => [message.id, message.status, message.attempts])).toEqual([
        [due.id, 'sending', 1],
      ]);
      expect(
        await store.outbox.claimDue({ nowMs: T0 + 999, limit: 10, leaseMs: 1_000, leaseToken: 'b' }),
      ).toEqual([]);

      const reclaimed = await store.outbox.claimDue({
        nowMs: T0 + 1_000,
        limit: 10,
        leaseMs: 1_000,
        leaseToken: 'c',
      });
      expect(reclaimed.map((message) => [message.id, message.attempts])).toEqual([[due.id, 2]]);
      // The first claimer lost its lease: its late outcome is not applied.
      expect(
        await store.outbox.settle(due.id, 'a', { status: 'delivered', atMs: T0 + 1_001 }),
      ).toBeUndefined();

      const delivered = await store.outbox.settle(due.id, 'c', { status: 'delivered', atMs: T0 + 1_002 });
      expect(delivered).toMatchObject({
        status: 'delivered',
        content: null,
        deliveredAt: new Date(T0 + 1_002).toISOString(),
      });
      expect(delivered?.recipient).toBe(due.recipient);
    });

    it('keeps a failed message for its next attempt, and requeues only failed or dead ones', async () => {
      const { store } = await open();
      const message = sampleOutboxMessage({}, T0);
      await store.outbox.enqueue(message);
      await store.outbox.claimDue({ nowMs: T0, limit: 1, leaseMs: 1_000, leaseToken: 'a' });
      const failed = await store.outbox.settle(message.id, 'a', {
        status: 'failed',
        atMs: T0 + 10,
        error: 'HTTP 500',
        nextAttemptMs: T0 + 5_000,
      });
      expect(failed).toMatchObject({
        status: 'failed',
        lastError: 'HTTP 500',
        nextAttemptAt: new Date(T0 + 5_000).toISOString(),
      });
      expect(
        await store.outbox.claimDue({ nowMs: T0 + 4_999, limit: 1, leaseMs: 1_000, leaseToken: 'b' }),
      ).toEqual([]);
      expect(await store.outbox.requeue(message.id, T0 + 20)).toMatchObject({
        status: 'pending',
        attempts: 1,
      });
      expect(await store.outbox.requeue(message.id, T0 + 20)).toBeUndefined();
      expect(
        await store.outbox.claimDue({ nowMs: T0 + 20, limit: 1, leaseMs: 1_000, leaseToken: 'b' }),
      ).toHaveLength(1);
    });

    it('lists newest first, paged, filtered by status, channel, audience and reference', async () => {
      const { store } = await open();
      const ids: string[] = [];
      for (let i = 0; i < 5; i++) {
        const message = sampleOutboxMessage(
          i % 2 === 0 ? {} : { channel: 'email', recipient: `c${i}@example.com`, audience: 'customers' },
          T0 + i,
        );
        ids.push(message.id);
        await store.outbox.enqueue(message);
      }
      const first = await store.outbox.list({ limit: 2 });
      expect(first.items.map((message) => message.id)).toEqual([ids[4], ids[3]]);
      const second = await store.outbox.list({ limit: 2, cursor: first.nextCursor as string });
      expect(second.items.map((message) => message.id)).toEqual([ids[2], ids[1]]);
      expect((await store.outbox.list({ channel: 'email' })).items).toHaveLength(2);
      expect((await store.outbox.list({ audience: 'partners', status: 'pending' })).items).toHaveLength(3);
      expect((await store.outbox.list({ reference: 'inc_00000000000000000000000000' })).items).toHaveLength(
        0,
      );
    });

    it('never lets two processes claim the same message', async () => {
      const { store, reopen } = await open();
      const other = await reopen();
      cleanups.push(() => other.close());
      const ids = new Set<string>();
      for (let i = 0; i < 40; i++) {
        const message = sampleOutboxMessage({}, T0 + i);
        ids.add(message.id);
        await store.outbox.enqueue(message);
      }
      const claims: string[] = [];
      await Promise.all(
        [store, other].flatMap((claimer, n) =>
          Array.from({ length: 4 }, async (_, round) => {
            for (;;) {
              const batch = await claimer.outbox.claimDue({
                nowMs: T0 + 1_000,
                limit: 3,
                leaseMs: 60_000,
                leaseToken: `${n}-${round}`,
              });
              if (batch.length === 0) return;
              claims.push(...batch.map((message) => message.id));
            }
          }),
        ),
      );
      expect(claims.length).toBe(40);
      expect(new Set(claims)).toEqual(ids);
    });
  });
}
