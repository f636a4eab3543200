import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { ManualClock } from '../core/clock.js';
import { newId } from '../core/ids.js';
import type { SecurityEvent } from '../core/records/index.js';
import { openStore } from '../store/index.js';
import { purgeExpiredEvents } from './retention.js';

const DAY_MS = 86_400_000;

function logEvent(timeMs: number): SecurityEvent {
  return {
    id: newId('evt', timeMs),
    time: new Date(timeMs).toISOString(),
    kind: 'log',
    source: { type: 'syslog', name: 'test' },
    severity: 'info',
    log: { line: 'hello' },
    labels: {},
  };
}

describe('retention', () => {
  it('purges raw events older than the configured number of days, and only those', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ensuresec-retention-'));
    const store = await openStore({ dialect: 'sqlite', path: join(dir, 'ensuresec.db') });
    try {
      await store.migrate();
      const clock = new ManualClock(Date.parse('2026-11-26T12:00:00Z'));
      const old = logEvent(clock.nowMs() - 31 * DAY_MS);
      const recent = logEvent(clock.nowMs() - 29 * DAY_MS);
      await store.events.insertMany([old, recent]);
      const purged = await purgeExpiredEvents({
        store,
        clock,
        rawEventsDays: 30,
        logger: pino({ level: 'silent' }),
      });
      expect(purged).toBe(1);
      expect(await store.events.get(old.id)).toBeUndefined();
      expect(await store.events.get(recent.id)).toEqual(recent);
    } finally {
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
