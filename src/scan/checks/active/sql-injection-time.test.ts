import { describe, expect, it } from 'vitest';
import { heavierAmount, SQLITE_HEAVY_ROWS } from './sql-injection-time.js';

describe('heavierAmount: how much heavier a heavy query is retried', () => {
  it('scales the rows so the expected gap is 2.5 times the required one', () => {
    // 0.49 s measured against 0.5 s required: 3 times the rows, about 1.5 s expected.
    expect(heavierAmount(SQLITE_HEAVY_ROWS, { smallestGapMs: 490, requiredGapMs: 500 })).toBe(12_000_000);
    // A baseline spread that raised the required gap to 1.2 s: 7 times.
    expect(heavierAmount(1000, { smallestGapMs: 450, requiredGapMs: 1200 })).toBe(7000);
  });

  it('at least doubles and at most multiplies by 16', () => {
    expect(heavierAmount(1000, { smallestGapMs: 5000, requiredGapMs: 500 })).toBe(2000);
    expect(heavierAmount(1000, { smallestGapMs: 160, requiredGapMs: 5000 })).toBe(16_000);
  });

  it('does not retry when some pair was barely slowed at all', () => {
    expect(heavierAmount(1000, { smallestGapMs: 149, requiredGapMs: 500 })).toBeNull();
    expect(heavierAmount(1000, { smallestGapMs: -20, requiredGapMs: 500 })).toBeNull();
  });
});
