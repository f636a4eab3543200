/**
 * Floods and volumetric spikes (detect, built-in network detector), from flow events: per
 * destination address, event time is cut into buckets (`bucket`, default 1 minute) and each
 * bucket's SYNs nobody answered, UDP packets and bytes are compared with that destination's
 * learned baseline (an EWMA of its past buckets, trusted after `warmupBuckets`):
 * - `network.flood.syn`: SYNs of SYN-only flows (their packets) far above the baseline (SYN flood, T1499.001/T1498);
 * - `network.flood.udp`: UDP packets far above the baseline (UDP flood, T1498.001);
 * - `network.flood.volume`: bytes far above the baseline (volumetric spike, T1498).
 * "Far above" is `multiplier` times the baseline and at least the rule's floor (so a
 * destination that saw 2 SYNs a minute does not alarm at 21). Before the warm-up, only a
 * bucket above `coldMultiplier` times the floor fires. A bucket that fired is not learned.
 * The entity is the source sending most of the bucket when it sends at least half of it
 * (one attacker), else the destination under attack (spoofed or distributed sources: there is
 * nobody to ban, the evidence says so).
 *
 * @example
 *   const detector = createFloodDetector({ bucket: '1m', multiplier: 10 });
 *   const detections = detector.observe(flowEvent);
 */
import { z } from 'zod';
import type { SecurityEvent } from '../../core/records/index.js';
import type { Detection, Detector } from '../detector.js';
import { BucketBaseline, sourceCount, topSourceOf, type BucketState } from './kit/baseline.js';
import { count, durationMs, maxKeys, parseDetectorConfig } from './kit/config.js';
import { Cooldown } from './kit/cooldown.js';
import { detection } from './kit/detection.js';
import { EventClock } from './kit/event-clock.js';
import { flowOf, isSynOnly, protocolOf, type Flow } from './kit/flows.js';

export const floodConfigSchema = z
  .object({
    enabled: z.boolean().default(true),
    bucket: durationMs.prefault('1m'),
    /** Weight of the newest bucket in the baseline (EWMA), 0-1. */
    alpha: z.number().gt(0).max(1).default(0.1),
    warmupBuckets: count.default(10),
    /** How many times the baseline a bucket must reach. */
    multiplier: z.number().min(1).max(1_000_000).default(10),
    /** Before the warm-up: how many times the floor a bucket must reach. */
    coldMultiplier: z.number().min(1).max(1_000_000).default(10),
    /** Floors per bucket: SYNs nobody answered, UDP packets, bytes. */
    minSyn: count.default(100),
    minUdpPackets: count.default(10_000),
    minBytes: z.number().int().min(1).default(100_000_000),
    cooldown: durationMs.prefault('15m'),
    maxKeys: maxKeys.default(100_000),
  })
  .strict();

export type FloodConfigInput = z.input<typeof floodConfigSchema>;

interface Rule {
  id: string;
  figure: number;
  title: string;
  what: string;
  unit: string;
  floor: number;
  attack: string[];
}

export function createFloodDetector(input: FloodConfigInput = {}, where = 'detectors.flood'): Detector {
  const config = parseDetectorConfig(floodConfigSchema, input, where);
  const rules: Rule[] = [
    {
      id: 'network.flood.syn',
      figure: 0,
      title: 'SYN flood against one address',
      what: 'connection attempts (SYN) left unanswered',
      unit: 'syn',
      floor: config.minSyn,
      attack: ['T1499.001', 'T1498'],
    },
    {
      id: 'network.flood.udp',
      figure: 1,
      title: 'UDP flood against one address',
      what: 'UDP packets',
      unit: 'udpPackets',
      floor: config.minUdpPackets,
      attack: ['T1498.001'],
    },
    {
      id: 'network.flood.volume',
      figure: 2,
      title: 'Traffic volume spike towards one address',
      what: 'bytes',
      unit: 'bytes',
      floor: config.minBytes,
      attack: ['T1498'],
    },
  ];
  const rates = new BucketBaseline({
    bucketMs: config.bucket,
    alpha: config.alpha,
    figures: 3,
    maxKeys: config.maxKeys,
  });
  const cooldown = new Cooldown(config.cooldown, config.maxKeys);
  const clock = new EventClock();
  // The figures of one event, refilled per event: `rates.add` only reads them.
  const figures = [0, 0, 0];

  function check(rule: Rule, state: BucketState, flow: Flow, nowMs: number): Detection | undefined {
    const value = state.current[rule.figure] as number;
    const warmed = state.buckets >= config.warmupBuckets;
    const baseline = state.mean[rule.figure] as number;
    const threshold = warmed
      ? Math.max(rule.floor, config.multiplier * baseline)
      : rule.floor * config.coldMultiplier;
    if (value < threshold) return undefined;
    state.anomalous = true;
    const top = topSourceOf(state);
    const sources = sourceCount(state);
    const single = top !== undefined && top.share >= 0.5;
    const entity = { type: 'ip' as const, value: single ? top.source : flow.dstIp };
    if (!cooldown.allow(rule.id, { type: 'ip', value: flow.dstIp }, nowMs)) return undefined;
    const seconds = Math.round(config.bucket / 1000);
    const factor = baseline > 0 ? Math.round((value / baseline) * 10) / 10 : 0;
    return detection({
      ruleId: rule.id,
      title: rule.title,
      description: `One address received ${value} ${rule.what} in ${seconds} s, ${
        warmed
          ? baseline > 0
            ? `${factor} times its learned baseline`
            : 'where it normally receives none'
          : `before its baseline was learned, ${config.coldMultiplier} times the floor of ${rule.floor}`
      }, from ${sources}${sources >= 256 ? '+' : ''} sources${
        single
          ? ', most of it from one address'
          : ' (the alert is about the target: sources are many or spoofed)'
      }.`,
      severity: 'high',
      attack: rule.attack,
      evidence: {
        [rule.unit]: value,
        baseline: Math.round(baseline * 100) / 100,
        warmedUp: warmed,
        bucketSeconds: seconds,
        target: flow.dstIp,
        role: single ? 'source' : 'target',
        sources,
        ...(top ? { topSourceShare: Math.round(top.share * 100) / 100 } : {}),
      },
      eventIds: state.ids,
      entity,
      tags: ['network', 'flood', 'dos'],
      timeMs: clock.absolute(nowMs),
    });
  }

  function observeFlow(event: SecurityEvent, flow: Flow): Detection[] {
    const nowMs = clock.advance(event);
    if (nowMs === undefined) return [];
    rates.sweep(nowMs);
    cooldown.sweep(nowMs);
    figures[0] = isSynOnly(flow) ? Math.max(1, flow.packets) : 0;
    figures[1] = protocolOf(flow) === 'udp' ? flow.packets : 0;
    figures[2] = flow.bytes;
    const state = rates.add(flow.dstIp, nowMs, figures, event.id, flow.srcIp);
    const out: Detection[] = [];
    for (const rule of rules) {
      const found = check(rule, state, flow, nowMs);
      if (found) out.push(found);
    }
    return out;
  }

  return {
    name: 'flood',
    kinds: ['flow'],
    observe(event: SecurityEvent): Detection[] {
      const flow = flowOf(event);
      if (!config.enabled || flow === undefined) return [];
      return observeFlow(event, flow);
    },
    stateSize: () => rates.size + cooldown.size,
  };
}
