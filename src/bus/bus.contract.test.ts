/**
 * The Bus contract: every implementation (memory now, NATS JetStream later) passes these.
 * ENSURESEC_TEST_BUSES narrows the run (e.g. `memory`).
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { Bus, BusMessage } from './bus.js';
import { MemoryBus } from './memory/memory-bus.js';

const implementations: Record<string, () => Bus> = {
  memory: () => new MemoryBus(),
};
const selected = (process.env['ENSURESEC_TEST_BUSES'] ?? Object.keys(implementations).join(',')).split(',');

function waitFor(predicate: () => boolean, timeoutMs = 3000): Promise<void> {
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const tick = () => {
      if (predicate()) return resolve();
      if (Date.now() - started > timeoutMs) return reject(new Error('condition not met in time'));
      setTimeout(tick, 5);
    };
    tick();
  });
}

for (const [name, create] of Object.entries(implementations).filter(([key]) => selected.includes(key))) {
  describe(`bus contract: ${name}`, () => {
    let bus: Bus;
    afterEach(async () => {
      await bus.close();
    });

    it('delivers every message to each consumer group', async () => {
      bus = create();
      const a: number[] = [];
      const b: number[] = [];
      bus.subscribe<number>('t', (m) => void a.push(m.data), { group: 'a' });
      bus.subscribe<number>('t', (m) => void b.push(m.data), { group: 'b' });
      for (let i = 0; i < 5; i++) await bus.publish('t', i);
      await bus.drain();
      expect(a).toEqual([0, 1, 2, 3, 4]);
      expect(b).toEqual([0, 1, 2, 3, 4]);
    });

    it('splits a group between its members, each message to exactly one', async () => {
      bus = create();
      const first: number[] = [];
      const second: number[] = [];
      bus.subscribe<number>('t', (m) => void first.push(m.data), { group: 'g' });
      bus.subscribe<number>('t', (m) => void second.push(m.data), { group: 'g' });
      for (let i = 0; i < 10; i++) await bus.publish('t', i);
      await bus.drain();
      expect(first.length).toBeGreaterThan(0);
      expect(second.length).toBeGreaterThan(0);
      expect([...first, ...second].sort((x, y) => x - y)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    });

    it('redelivers a message whose handler failed, with a growing delivery count', async () => {
      bus = create();
      const deliveries: number[] = [];
      bus.subscribe<string>(
        't',
        (m: BusMessage<string>) => {
          deliveries.push(m.deliveryCount);
          if (m.deliveryCount < 3) throw new Error('transient');
        },
        { group: 'g', backoffMs: [1] },
      );
      await bus.publish('t', 'x');
      await bus.drain();
      expect(deliveries).toEqual([1, 2, 3]);
    });

    it('dead-letters a message after maxDeliver failures', async () => {
      bus = create();
      const dead: unknown[] = [];
      bus.subscribe('t.dead', (m) => void dead.push(m.data), { group: 'dlq' });
      let attempts = 0;
      bus.subscribe(
        't',
        () => {
          attempts++;
          throw new Error('always');
        },
        { group: 'g', maxDeliver: 2, backoffMs: [1] },
      );
      await bus.publish('t', 'poison');
      await waitFor(() => dead.length === 1);
      expect(attempts).toBe(2);
      expect(dead[0]).toMatchObject({ group: 'g', message: { data: 'poison', deliveryCount: 2 } });
    });

    it('treats a handler that outlives ackWaitMs as failed and redelivers', async () => {
      bus = create();
      const seen: number[] = [];
      bus.subscribe(
        't',
        async (m) => {
          seen.push(m.deliveryCount);
          if (m.deliveryCount === 1) await new Promise((resolve) => setTimeout(resolve, 200));
        },
        { group: 'g', ackWaitMs: 20, backoffMs: [1], concurrency: 2 },
      );
      await bus.publish('t', 'slow');
      await waitFor(() => seen.length >= 2);
      expect(seen.slice(0, 2)).toEqual([1, 2]);
    });

    it('delivers a message published twice with the same id once', async () => {
      bus = create();
      const got: string[] = [];
      bus.subscribe<string>('t', (m) => void got.push(m.id), { group: 'g' });
      await bus.publish('t', 'a', { id: 'same' });
      await bus.publish('t', 'a', { id: 'same' });
      await bus.publish('t', 'b');
      await bus.drain();
      expect(got.filter((id) => id === 'same')).toHaveLength(1);
      expect(got).toHaveLength(2);
    });

    it('keeps order within a member with concurrency 1', async () => {
      bus = create();
      const got: number[] = [];
      bus.subscribe<number>(
        't',
        async (m) => {
          await new Promise((resolve) => setTimeout(resolve, Math.random() * 3));
          got.push(m.data);
        },
        { group: 'g' },
      );
      for (let i = 0; i < 20; i++) await bus.publish('t', i);
      await bus.drain();
      expect(got).toEqual([...Array(20).keys()]);
    });
  });
}
