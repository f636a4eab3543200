/**
 * The scanner's limits on its own traffic: a request budget, a rate (requests per second,
 * spaced evenly) and a concurrency cap. Every request the scanner sends passes `acquire`.
 */

export class RequestBudget {
  private spent = 0;
  constructor(readonly maxRequests: number) {}
  /** Takes one request from the budget; false when it is spent. */
  take(): boolean {
    if (this.spent >= this.maxRequests) return false;
    this.spent++;
    return true;
  }
  get used(): number {
    return this.spent;
  }
  get remaining(): number {
    return Math.max(0, this.maxRequests - this.spent);
  }
}

/** Spaces request starts at least `1000 / ratePerSecond` ms apart. */
export class RateLimiter {
  private nextSlotMs = 0;
  private readonly intervalMs: number;
  constructor(ratePerSecond: number) {
    this.intervalMs = ratePerSecond > 0 ? 1000 / ratePerSecond : 0;
  }
  async wait(signal?: AbortSignal): Promise<void> {
    if (this.intervalMs === 0) return;
    const now = Date.now();
    const slot = Math.max(now, this.nextSlotMs);
    this.nextSlotMs = slot + this.intervalMs;
    if (slot > now) await sleep(slot - now, signal);
  }
}

export class Semaphore {
  private active = 0;
  private readonly waiting: (() => void)[] = [];
  constructor(private readonly max: number) {}
  async acquire(): Promise<() => void> {
    if (this.active >= this.max) await new Promise<void>((resolve) => this.waiting.push(resolve));
    this.active++;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.active--;
      this.waiting.shift()?.();
    };
  }
}

export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });
}
