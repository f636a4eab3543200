/**
 * Pacing and bounds for simulated traffic: a pacer that spaces requests to a rate, a
 * budget that stops a run after so many requests or so much time, and an abortable
 * sleep. Every simulated request passes through both before it is sent.
 */

export class StopSimulation extends Error {
  constructor(readonly reason: 'budget_exhausted' | 'timed_out' | 'aborted') {
    super(`simulation stopped: ${reason}`);
    this.name = 'StopSimulation';
  }
}

export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  if (ms <= 0) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    function done(): void {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });
}

/** Spaces requests evenly at `ratePerSecond` across every caller sharing it. */
export class Pacer {
  private nextSlotMs = 0;
  private readonly intervalMs: number;

  constructor(ratePerSecond: number) {
    this.intervalMs = ratePerSecond > 0 ? 1000 / ratePerSecond : 0;
  }

  async wait(signal?: AbortSignal): Promise<void> {
    const nowMs = Date.now();
    const slotMs = Math.max(nowMs, this.nextSlotMs);
    this.nextSlotMs = slotMs + this.intervalMs;
    await sleep(slotMs - nowMs, signal);
  }
}

/** Counts requests against a maximum and a deadline; `take()` throws StopSimulation past either. */
export class Budget {
  used = 0;
  readonly deadlineMs: number;

  constructor(
    readonly maxRequests: number,
    durationMs: number,
    private readonly signal?: AbortSignal,
  ) {
    this.deadlineMs = Date.now() + durationMs;
  }

  check(): void {
    if (this.signal?.aborted) throw new StopSimulation('aborted');
    if (Date.now() >= this.deadlineMs) throw new StopSimulation('timed_out');
    if (this.used >= this.maxRequests) throw new StopSimulation('budget_exhausted');
  }

  take(): void {
    this.check();
    this.used++;
  }
}

export function pick<T>(items: readonly T[]): T {
  const item = items[Math.floor(Math.random() * items.length)];
  if (item === undefined) throw new Error('pick from an empty list');
  return item;
}
