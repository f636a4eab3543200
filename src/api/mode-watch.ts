/**
 * Wakes the mode feed's held requests (api, remote gateways): one bus subscription per API
 * server on `TOPICS.modes`, in a consumer group of its own so it sees every change, and a
 * set of waiters that the next change (or the server closing) resolves at once. A long-poll
 * request registers its waiter before it reads the modes, so a switch racing that read wakes
 * it instead of being missed.
 *
 * @example
 * const wait = watch.next();
 * const state = await readModes();
 * if (unchanged(state)) await Promise.race([wait.changed, timeout]);
 * wait.cancel();
 */
import { TOPICS, type Bus, type Subscription } from '../bus/bus.js';
import { newId } from '../core/ids.js';

export interface ModeChangeWait {
  /** Resolves at the next mode change published after `next()`, or when the watch closes. */
  changed: Promise<void>;
  /** Forgets the waiter (the request answered for another reason). */
  cancel(): void;
}

export class ModeChangeWatch {
  private subscription: Subscription | null = null;
  private readonly waiters = new Set<() => void>();
  private closed = false;
  /** Changes seen since the watch started (for tests and status). */
  changes = 0;

  constructor(private readonly bus: Bus) {}

  /** Held requests now. */
  get waiting(): number {
    return this.waiters.size;
  }

  next(): ModeChangeWait {
    if (this.closed) return { changed: Promise.resolve(), cancel: () => undefined };
    this.subscription ??= this.bus.subscribe(TOPICS.modes, () => this.wakeAll(true), {
      group: `api-mode-feed-${newId('msg')}`,
    });
    let wake: () => void = () => undefined;
    const changed = new Promise<void>((resolve) => {
      wake = resolve;
    });
    this.waiters.add(wake);
    return { changed, cancel: () => void this.waiters.delete(wake) };
  }

  /** Answers every held request and stops watching (the API server is closing). */
  async close(): Promise<void> {
    this.closed = true;
    this.wakeAll(false);
    const subscription = this.subscription;
    this.subscription = null;
    await subscription?.unsubscribe();
  }

  private wakeAll(change: boolean): void {
    if (change) this.changes++;
    const waiters = [...this.waiters];
    this.waiters.clear();
    for (const wake of waiters) wake();
  }
}
