/**
 * The cool-down of a detector (detect, built-in detectors): once a rule fires on an entity,
 * it stays quiet on that entity for `cooldownMs`, so a burst raises one detection, not one
 * per event. Bounded like every other table; forgetting an entry early at worst repeats a
 * detection, which the pipeline's deduplication absorbs.
 */
import type { DetectionEntity } from '../../detector.js';
import { BoundedMap, type Stamped } from './bounded-map.js';

interface Quiet extends Stamped {
  untilMs: number;
}

export class Cooldown {
  private readonly table: BoundedMap<Quiet>;

  constructor(
    private readonly cooldownMs: number,
    maxKeys: number,
  ) {
    this.table = new BoundedMap<Quiet>(maxKeys, Math.max(1, cooldownMs));
  }

  /** True (and starts the quiet period) when the rule may fire on the entity at nowMs. */
  allow(ruleId: string, entity: DetectionEntity, nowMs: number): boolean {
    const key = `${ruleId}|${entity.type}|${entity.value}`;
    const quiet = this.table.peek(key, nowMs);
    if (quiet !== undefined && quiet.untilMs > nowMs) return false;
    const entry = this.table.upsert(key, nowMs, () => ({ lastMs: nowMs, positionMs: nowMs, untilMs: 0 }));
    entry.untilMs = nowMs + this.cooldownMs;
    return true;
  }

  sweep(nowMs: number): void {
    this.table.sweep(nowMs);
  }

  get size(): number {
    return this.table.size;
  }
}
