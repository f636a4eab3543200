/** The ModeFollower against a scripted feed: what it keeps, when it tells the gateway, how it rides out an outage. */
import { readFileSync } from 'node:fs';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../../core/clock.js';
import { EnsuresecError } from '../../core/errors.js';
import { sleep } from '../testing/harness.js';
import { ModeFollower, type ModeFeedAnswer } from './mode-follower.js';

type Answers = Record<'start' | 'freeze' | 'freezeAndReadOnly' | 'none', ModeFeedAnswer>;
const answers = JSON.parse(
  readFileSync(new URL('./fixtures/mode-feed-answers.json', import.meta.url), 'utf8'),
) as Answers;

type Query = { since?: string; wait?: number };

/** A feed that answers from a script; `hold` makes it wait (like the server) until released or aborted. */
class ScriptedFeed {
  readonly queries: Query[] = [];
  private script: Array<ModeFeedAnswer | Error | 'hold'> = [];
  private release: (() => void) | null = null;

  then(...steps: Array<ModeFeedAnswer | Error | 'hold'>): this {
    this.script.push(...steps);
    return this;
  }

  /** Ends a held request with the next scripted answer. */
  push(): void {
    this.release?.();
  }

  readonly read = async (query: Query, signal: AbortSignal): Promise<ModeFeedAnswer> => {
    this.queries.push(query);
    let step = this.script.shift() ?? 'hold';
    if (step === 'hold') {
      await new Promise<void>((resolve, reject) => {
        this.release = resolve;
        signal.addEventListener('abort', () => reject(new Error('aborted')), { once: true });
      });
      this.release = null;
      step = this.script.shift() ?? answers.none;
      if (step === 'hold') throw new Error('script: hold after hold');
    }
    if (step instanceof Error) throw step;
    return structuredClone(step);
  };
}

const clock = new ManualClock(Date.parse('2026-03-01T12:00:00.000Z'));
const followers: ModeFollower[] = [];
function follower(
  feed: ScriptedFeed,
  extra: { retryMs?: number; maxBackoffMs?: number; minGapMs?: number } = {},
): ModeFollower {
  const made = new ModeFollower({
    feed: feed.read,
    logger: pino({ level: 'silent' }),
    clock,
    waitMs: 20_000,
    minGapMs: 0,
    ...extra,
  });
  followers.push(made);
  return made;
}
afterEach(() => {
  for (const made of followers.splice(0)) made.stop();
  clock.set(Date.parse('2026-03-01T12:00:00.000Z'));
});

async function until(condition: () => boolean, withinMs = 2_000): Promise<void> {
  const startedMs = Date.now();
  while (!condition()) {
    if (Date.now() - startedMs > withinMs) throw new Error('condition not met in time');
    await sleep(5);
  }
}

describe('ModeFollower', () => {
  it('reads the modes at start without waiting, then long-polls with its cursor', async () => {
    const feed = new ScriptedFeed().then(answers.freeze, 'hold');
    const modes = follower(feed);
    await modes.start();
    expect(await modes.listActive()).toEqual(answers.freeze.modes);
    await until(() => feed.queries.length === 2);
    expect(feed.queries).toEqual([{}, { since: 'c1', wait: 20_000 }]);
  });

  it('tells the gateway at once when a held request answers a change, and only then', async () => {
    const feed = new ScriptedFeed().then(
      answers.start,
      'hold',
      answers.freeze,
      'hold',
      answers.freeze,
      'hold',
    );
    const modes = follower(feed);
    let notified = 0;
    modes.subscribe(() => notified++);
    await modes.start();
    expect(notified).toBe(0);
    await until(() => feed.queries.length === 2);
    feed.push();
    await until(() => notified === 1);
    expect((await modes.listActive()).map((m) => m.name)).toEqual(['checkout-freeze']);
    // The same list again (the server's wait ran out): no notification.
    await until(() => feed.queries.length === 3);
    feed.push();
    await until(() => modes.polls === 3);
    expect(notified).toBe(1);
  });

  it('keeps modes in order regardless of how the server lists them', async () => {
    const modes = follower(new ScriptedFeed().then(answers.freezeAndReadOnly));
    expect(await modes.pollOnce(0)).toBe(true);
    expect((await modes.listActive()).map((m) => m.name)).toEqual(['checkout-freeze', 'read-only']);
  });

  it('stops listing a mode whose until has passed, even when the feed never said so', async () => {
    const modes = follower(new ScriptedFeed().then(answers.freezeAndReadOnly));
    await modes.pollOnce(0);
    clock.set(Date.parse('2026-03-01T12:30:00.001Z'));
    expect((await modes.listActive()).map((m) => m.name)).toEqual(['read-only']);
  });

  it('keeps the last known modes through an outage, backs off, and catches up', async () => {
    const down = new EnsuresecError('server_unreachable', { detail: 'connection refused' });
    const feed = new ScriptedFeed().then(answers.freeze, down, down, down, answers.none);
    const modes = follower(feed, { retryMs: 1_000, maxBackoffMs: 3_000 });
    expect(await modes.pollOnce(0)).toBe(true);
    const delays: number[] = [];
    for (let i = 0; i < 3; i++) {
      expect(await modes.pollOnce()).toBe(false);
      delays.push(modes.nextDelayMs);
    }
    expect(delays).toEqual([1_000, 2_000, 3_000]);
    expect(modes.failures).toBe(3);
    expect((await modes.listActive()).map((m) => m.name)).toEqual(['checkout-freeze']);
    // Fail safe, yet bounded: the mode still ends at its own until.
    clock.set(Date.parse('2026-03-01T12:30:00.001Z'));
    expect(await modes.listActive()).toEqual([]);
    clock.set(Date.parse('2026-03-01T12:00:00.000Z'));
    expect(await modes.pollOnce()).toBe(true);
    expect(modes.failures).toBe(0);
    expect(await modes.listActive()).toEqual([]);
  });

  it('starts with no modes when the API is down at start, and picks them up later', async () => {
    const feed = new ScriptedFeed().then(new Error('ECONNREFUSED'), answers.freeze, 'hold');
    const modes = follower(feed, { retryMs: 20 });
    await modes.start();
    expect(await modes.listActive()).toEqual([]);
    expect(modes.failures).toBe(1);
    await until(() => modes.polls === 1);
    expect((await modes.listActive()).map((m) => m.name)).toEqual(['checkout-freeze']);
  });

  it('aborts a held request on stop and reads no more', async () => {
    const feed = new ScriptedFeed().then(answers.start, 'hold');
    const modes = follower(feed);
    await modes.start();
    await until(() => feed.queries.length === 2);
    modes.stop();
    await sleep(50);
    expect(modes.failures).toBe(0);
    expect(feed.queries).toHaveLength(2);
  });

  it('reads at most once per minGapMs from a server that answers unchanged lists without holding', async () => {
    const feed = new ScriptedFeed().then(...Array.from({ length: 50 }, () => answers.start));
    const modes = follower(feed, { minGapMs: 100 });
    await modes.start();
    await sleep(350);
    modes.stop();
    expect(feed.queries.length).toBeGreaterThanOrEqual(3);
    expect(feed.queries.length).toBeLessThanOrEqual(6);
  });
});
