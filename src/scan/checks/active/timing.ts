/**
 * Time-based decisions shared by the blind active checks (SQL injection, command
 * injection): is a payload that should make the server wait really slower than the same
 * payload that should not? A slow or jittery server must never look vulnerable, so:
 * - a baseline of harmless requests measures the server's own jitter;
 * - delayed and control probes are sent in interleaved pairs (alternating which goes
 *   first), so a server that slows down as a whole slows both sides of a pair;
 * - every pair must show the delayed probe slower by more than the minimum gap AND by
 *   more than four times the baseline's spread; one pair that does not is a "no".
 */

/** One pair's measurement: the delayed and the control probe's elapsed time, ms. */
export interface TimedPair {
  delayedMs: number;
  controlMs: number;
}

export interface TimingDecision {
  delayed: boolean;
  /** The smallest delayed − control gap over the pairs (ms). */
  smallestGapMs: number;
  /** The gap every pair had to exceed (ms). */
  requiredGapMs: number;
  reason: string;
}

export const JITTER_FACTOR = 4;

/**
 * @example decideDelay([100, 120, 110], [{ delayedMs: 2100, controlMs: 115 }], 1000).delayed // true
 */
export function decideDelay(baselineMs: number[], pairs: TimedPair[], minGapMs: number): TimingDecision {
  const spread = baselineMs.length > 1 ? Math.max(...baselineMs) - Math.min(...baselineMs) : 0;
  const requiredGapMs = Math.max(minGapMs, JITTER_FACTOR * spread);
  if (pairs.length === 0)
    return { delayed: false, smallestGapMs: 0, requiredGapMs, reason: 'no probe pair was measured' };
  const smallestGapMs = Math.min(...pairs.map((p) => p.delayedMs - p.controlMs));
  const delayed = smallestGapMs >= requiredGapMs;
  const reason = delayed
    ? `in all ${pairs.length} interleaved pairs the delayed probe was at least ${Math.round(smallestGapMs)} ms slower than its control (needed ${Math.round(requiredGapMs)} ms: the larger of ${minGapMs} ms and ${JITTER_FACTOR}× the baseline spread of ${Math.round(spread)} ms)`
    : `the smallest gap was ${Math.round(smallestGapMs)} ms, under the ${Math.round(requiredGapMs)} ms needed`;
  return { delayed, smallestGapMs, requiredGapMs, reason };
}

export interface TimedProbe {
  ok: boolean;
  elapsedMs: number;
}

/**
 * Runs the screen-then-confirm protocol: one pair first (cheap on a target that is not
 * vulnerable), then `confirmPairs` more, alternating which probe goes first. Returns null
 * when a probe failed (timeout, budget), so the caller can record "not checked".
 */
export async function measurePairs(
  delayed: () => Promise<TimedProbe>,
  control: () => Promise<TimedProbe>,
  options: { baselineMs: number[]; minGapMs: number; confirmPairs: number },
): Promise<{ decision: TimingDecision; pairs: TimedPair[] } | null> {
  const pairs: TimedPair[] = [];
  for (let i = 0; i <= options.confirmPairs; i++) {
    const delayedFirst = i % 2 === 0;
    const first = await (delayedFirst ? delayed() : control());
    const second = await (delayedFirst ? control() : delayed());
    if (!first.ok || !second.ok) return null;
    pairs.push(
      delayedFirst
        ? { delayedMs: first.elapsedMs, controlMs: second.elapsedMs }
        : { delayedMs: second.elapsedMs, controlMs: first.elapsedMs },
    );
    const decision = decideDelay(options.baselineMs, pairs, options.minGapMs);
    if (!decision.delayed) return { decision, pairs };
  }
  return { decision: decideDelay(options.baselineMs, pairs, options.minGapMs), pairs };
}
