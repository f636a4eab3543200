/** The store-backed dead-letter sink, over a real SQLite store: batching, bounds, failures, sampling. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../../core/clock.js';
import { openStore } from '../../store/index.js';
import type { Store } from '../../store/store.js';
import { createDeadLetterSampler, MAX_DEAD_LETTER_CHARS, type DeadLetter } from './dead-letter.js';
import { createStoreDeadLetterSink } from './store-dead-letter-sink.js';

const logger = pino({ level: 'silent' });
let dir: string;
let store: Store;

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'ensuresec-dead-letters-'));
  store = await openStore({ dialect: 'sqlite', path: join(dir, 'ensuresec.db') });
  await store.migrate();
});
afterEach(async () => {
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

const letter = (n: number): DeadLetter => ({
  source: 'nginx',
  reason: 'bad_time',
  input: `line ${n}`,
  location: `access.log:${n * 100}`,
  time: new Date(Date.parse('2026-03-01T12:00:00.000Z') + n).toISOString(),
});

describe('store dead-letter sink', () => {
  it('writes a full batch without waiting for a flush, and the rest on flush', async () => {
    const sink = createStoreDeadLetterSink({ store, logger, batchSize: 3, flushIntervalMs: 60_000 });
    for (let n = 0; n < 4; n++) sink.put(letter(n));
    await expect.poll(() => store.deadLetters.count()).toBe(3);
    await sink.flush();
    const stored = await store.deadLetters.list({});
    expect(stored.items.map((l) => l.input)).toEqual(['line 3', 'line 2', 'line 1', 'line 0']);
    expect(stored.items[3]).toMatchObject({ ...letter(0), id: expect.stringMatching(/^dlt_/) });
    expect(sink.stats()).toEqual({ written: 4, dropped: 0, failedBatches: 0, queued: 0 });
    await sink.close();
  });

  it('keeps the newest letters when more queue up than it holds', async () => {
    const sink = createStoreDeadLetterSink({ store, logger, batchSize: 100, maxQueued: 5 });
    for (let n = 0; n < 8; n++) sink.put(letter(n));
    await sink.close();
    expect((await store.deadLetters.list({})).items.map((l) => l.input)).toEqual([
      'line 7',
      'line 6',
      'line 5',
      'line 4',
      'line 3',
    ]);
    expect(sink.stats()).toMatchObject({ written: 5, dropped: 3 });
    sink.put(letter(9));
    expect(sink.stats().queued).toBe(0);
  });

  it('counts a batch the store refused and never throws to the source', async () => {
    const sink = createStoreDeadLetterSink({ store, logger });
    await store.close();
    sink.put(letter(1));
    await sink.flush();
    expect(sink.stats()).toEqual({ written: 0, dropped: 1, failedBatches: 1, queued: 0 });
    await sink.close();
  });

  it('stores what the sampler lets through, cut to the bounded length', async () => {
    const sink = createStoreDeadLetterSink({ store, logger });
    const clock = new ManualClock(Date.parse('2026-03-01T12:00:00.000Z'));
    const sampler = createDeadLetterSampler(sink, { maxPerMinute: 2, clock });
    for (let n = 0; n < 5; n++)
      sampler.report({ source: 'syslog', reason: 'bad_frame', input: 'x'.repeat(5000) });
    sampler.report({ source: 'syslog', reason: 'not_json', input: '{' });
    await sink.close();
    expect(await store.deadLetters.count({ source: 'syslog', reason: 'bad_frame' })).toBe(2);
    expect(await store.deadLetters.count({ reason: 'not_json' })).toBe(1);
    const [longest] = (await store.deadLetters.list({ reason: 'bad_frame', limit: 1 })).items;
    expect(longest?.input).toHaveLength(MAX_DEAD_LETTER_CHARS);
  });
});
