/**
 * The clock every stage reads time from (core, no I/O), so tests can move time.
 */
export interface Clock {
  nowMs(): number;
}

export const systemClock: Clock = { nowMs: () => Date.now() };

/** A clock tests move by hand. @example const c = new ManualClock(0); c.advance(1000); */
export class ManualClock implements Clock {
  constructor(private currentMs: number = Date.now()) {}
  nowMs(): number {
    return this.currentMs;
  }
  advance(ms: number): void {
    this.currentMs += ms;
  }
  set(ms: number): void {
    this.currentMs = ms;
  }
}

export function isoNow(clock: Clock = systemClock): string {
  return new Date(clock.nowMs()).toISOString();
}
