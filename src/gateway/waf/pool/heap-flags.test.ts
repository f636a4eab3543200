/**
 * The V8 flags the WAF pool sets before its workers start (gateway/waf/pool): helper-thread
 * work is turned off only when the workers and the gateway's thread take every core, the
 * BENCH_WAF_* switches give V8's defaults back, and every flag is one this Node accepts
 * (`setFlagsFromString` would only print an unknown flag on stderr and go on).
 */
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { heapFlags } from './pool.js';

const HELPERS_OFF = ['--no-parallel-scavenge', '--no-concurrent-array-buffer-sweeping'];

describe('heapFlags', () => {
  it('keeps V8 from waiting for helper threads when the WAF threads take every core', () => {
    const flags = heapFlags({ growingPercent: 20, workers: 2, cores: 2 });
    expect(flags).toEqual([
      '--max-semi-space-size=0',
      '--heap-growing-percent=20',
      '--no-allocation-site-pretenuring',
      ...HELPERS_OFF,
    ]);
    expect(heapFlags({ growingPercent: 20, workers: 1, cores: 2 })).toEqual(
      expect.arrayContaining(HELPERS_OFF),
    );
  });

  it("leaves the helpers on when a core is left for them, and V8's growth when asked", () => {
    const flags = heapFlags({ growingPercent: 0, workers: 2, cores: 8 });
    expect(flags).toEqual(['--max-semi-space-size=0', '--no-allocation-site-pretenuring']);
  });

  it("gives each of V8's defaults back through its switch", () => {
    const flags = heapFlags({
      growingPercent: 20,
      workers: 4,
      cores: 2,
      pretenuring: true,
      parallelScavenge: true,
      concurrentArrayBufferSweep: true,
    });
    expect(flags).toEqual(['--max-semi-space-size=0', '--heap-growing-percent=20']);
    const one = heapFlags({ growingPercent: 20, workers: 4, cores: 2, parallelScavenge: true });
    expect(one).toContain('--no-concurrent-array-buffer-sweeping');
    expect(one).not.toContain('--no-parallel-scavenge');
  });

  it('sets only flags this Node accepts', () => {
    const flags = heapFlags({ growingPercent: 20, workers: 2, cores: 2 });
    const run = spawnSync(process.execPath, [...flags, '-e', '0'], { encoding: 'utf8' });
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    // The check itself can fail: a misspelt flag is refused.
    const bad = spawnSync(process.execPath, ['--no-concurrent-array-buffer-sweepin', '-e', '0']);
    expect(bad.status).not.toBe(0);
  });
});
