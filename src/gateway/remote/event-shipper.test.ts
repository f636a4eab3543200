/** The remote gateway's event shipper: batches in order, a bounded queue, retries after a backoff. */
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import type { SecurityEvent } from '../../core/records/index.js';
import { EventShipper } from './event-shipper.js';

const logger = pino({ level: 'silent' });

function event(n: number): SecurityEvent {
  return {
    id: `evt_01KAV9FT00${String(n).padStart(16, '0')}`,
    time: new Date(1_764_000_000_000 + n).toISOString(),
    kind: 'http',
    source: { type: 'gateway', name: 'gateway' },
    labels: {},
  } as SecurityEvent;
}

describe('event shipper', () => {
  it('sends the queue in batches, in order', async () => {
    const batches: string[][] = [];
    const shipper = new EventShipper({
      send: (events) => Promise.resolve(void batches.push(events.map((e) => e.id))),
      batchSize: 2,
      logger,
    });
    for (let n = 0; n < 5; n++) shipper.push(event(n));
    await shipper.ship();
    expect(batches.map((batch) => batch.length)).toEqual([2, 2, 1]);
    expect(batches.flat()).toEqual([0, 1, 2, 3, 4].map((n) => event(n).id));
    expect(shipper.stats()).toEqual({ queued: 0, sent: 5, dropped: 0, failures: 0 });
  });

  it('drops the oldest beyond its bound and counts them', () => {
    const shipper = new EventShipper({ send: () => Promise.resolve(), maxQueued: 3, logger });
    for (let n = 0; n < 5; n++) shipper.push(event(n));
    expect(shipper.stats()).toMatchObject({ queued: 3, dropped: 2 });
  });

  it('keeps a failed batch at the front and waits before the next attempt', async () => {
    let down = true;
    const sent: string[] = [];
    const shipper = new EventShipper({
      send: (events) => {
        if (down) return Promise.reject(new Error('connection refused'));
        sent.push(...events.map((e) => e.id));
        return Promise.resolve();
      },
      batchSize: 2,
      logger,
    });
    for (let n = 0; n < 3; n++) shipper.push(event(n));
    await shipper.ship();
    expect(shipper.stats()).toMatchObject({ queued: 3, sent: 0, failures: 1 });
    down = false;
    // Within the backoff (1 s after the first failure) nothing is tried.
    shipper.push(event(3));
    await shipper.ship();
    expect(sent).toEqual([]);
    // Closing makes one last attempt, in the original order.
    await shipper.close();
    expect(sent).toEqual([0, 1, 2, 3].map((n) => event(n).id));
    shipper.push(event(4));
    expect(shipper.stats()).toMatchObject({ queued: 0, sent: 4 });
  });
});
