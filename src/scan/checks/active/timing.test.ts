import { describe, expect, it } from 'vitest';
import cases from './fixtures/timing-cases.json' with { type: 'json' };
import { decideDelay, measurePairs } from './timing.js';

describe('time-based decision', () => {
  for (const c of cases.cases) {
    it(`${c.delayed ? 'reports' : 'does not report'} ${c.name}`, () => {
      expect(decideDelay(c.baselineMs, c.pairs, c.minGapMs).delayed).toBe(c.delayed);
    });
  }

  it('needs a gap of four times the baseline spread when that is above the minimum', () => {
    expect(decideDelay([100, 700], [], 1000).requiredGapMs).toBe(2400);
    expect(decideDelay([100, 120], [], 1000).requiredGapMs).toBe(1000);
  });

  it('stops after the first pair that shows no delay (cheap on targets that are not vulnerable)', async () => {
    let probes = 0;
    const fast = async () => ({ ok: true, elapsedMs: (probes++, 10) });
    const result = await measurePairs(fast, fast, {
      baselineMs: [10, 10, 10],
      minGapMs: 500,
      confirmPairs: 2,
    });
    expect(result?.decision.delayed).toBe(false);
    expect(probes).toBe(2);
  });

  it('alternates which probe goes first and confirms with every pair', async () => {
    const order: string[] = [];
    const delayed = async () => (order.push('d'), { ok: true, elapsedMs: 2000 });
    const control = async () => (order.push('c'), { ok: true, elapsedMs: 10 });
    const result = await measurePairs(delayed, control, {
      baselineMs: [10, 12, 11],
      minGapMs: 1000,
      confirmPairs: 2,
    });
    expect(order.join('')).toBe('dccddc');
    expect(result?.decision.delayed).toBe(true);
  });

  it('gives up (null) when a probe fails', async () => {
    const failed = async () => ({ ok: false, elapsedMs: 0 });
    const ok = async () => ({ ok: true, elapsedMs: 10 });
    expect(await measurePairs(failed, ok, { baselineMs: [], minGapMs: 500, confirmPairs: 2 })).toBeNull();
  });
});
