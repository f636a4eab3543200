/**
 * Unusual egress (detect, built-in network detector): data leaving the network, from flow
 * events whose source is inside `internalNetworks` and whose destination is outside.
 * - `network.egress.volume`: an internal host sent far more in one bucket (`bucket`, default
 *   1 hour) than its learned baseline (EWMA of its past buckets, trusted after
 *   `warmupBuckets`): `multiplier` times it and at least `minBytes`. MITRE ATT&CK T1048, T1041.
 * - `network.egress.new-destination`: after `learningPeriod` of event time, an internal host
 *   sent at least `minNewDestinationBytes` within `window` to a destination no internal host
 *   had talked to before. MITRE ATT&CK T1041, T1567.
 * Until the warm-up is over nothing fires: a baseline is learned first. The shop's own servers
 * answering the Internet (one-way records from a service port to a client's ephemeral port)
 * are not egress: a customer downloading a big file from a new address is not exfiltration.
 *
 * @example
 *   const detector = createUnusualEgressDetector({ internalNetworks: ['10.0.0.0/8'], multiplier: 10 });
 *   const detections = detector.observe(flowEvent);
 */
import { z } from 'zod';
import type { SecurityEvent } from '../../core/records/index.js';
import type { Detection, Detector } from '../detector.js';
import { BucketBaseline } from './kit/baseline.js';
import { BoundedMap, type Stamped } from './kit/bounded-map.js';
import { count, durationMs, maxKeys, parseDetectorConfig } from './kit/config.js';
import { Cooldown } from './kit/cooldown.js';
import { detection } from './kit/detection.js';
import { EventClock } from './kit/event-clock.js';
import { cidrList, flowOf, isReply, networkSet, PRIVATE_NETWORKS, type Flow } from './kit/flows.js';

export const unusualEgressConfigSchema = z
  .object({
    enabled: z.boolean().default(true),
    internalNetworks: cidrList.default(PRIVATE_NETWORKS),
    bucket: durationMs.prefault('1h'),
    alpha: z.number().gt(0).max(1).default(0.1),
    warmupBuckets: count.default(12),
    multiplier: z.number().min(1).max(1_000_000).default(10),
    minBytes: z.number().int().min(1).default(100_000_000),
    /** Event time during which destinations are only learned. */
    learningPeriod: durationMs.prefault('24h'),
    minNewDestinationBytes: z.number().int().min(1).default(20_000_000),
    window: durationMs.prefault('1h'),
    /** How long a destination stays known without traffic. */
    destinationMemory: durationMs.prefault('30d'),
    /** Destinations never reported (backups, cloud storage the shop uses). */
    ignoreDestinations: cidrList.default([]),
    cooldown: durationMs.prefault('6h'),
    maxKeys: maxKeys.default(100_000),
  })
  .strict();

export type UnusualEgressConfigInput = z.input<typeof unusualEgressConfigSchema>;

const VOLUME = 'network.egress.volume';
const NEW_DESTINATION = 'network.egress.new-destination';

interface Destination extends Stamped {
  /** Event time (relative) it was first seen; `fresh` while it counts as new. */
  firstMs: number;
  fresh: boolean;
  /** Bytes sent to it by host while fresh (host -> bytes, window start). */
  senders: Map<string, { bytes: number; sinceMs: number; ids: string[] }>;
}

export function createUnusualEgressDetector(
  input: UnusualEgressConfigInput = {},
  where = 'detectors.unusual-egress',
): Detector {
  const config = parseDetectorConfig(unusualEgressConfigSchema, input, where);
  const internal = networkSet(config.internalNetworks);
  const ignored = networkSet(config.ignoreDestinations);
  const volume = new BucketBaseline({
    bucketMs: config.bucket,
    alpha: config.alpha,
    figures: 1,
    maxKeys: config.maxKeys,
  });
  const destinations = new BoundedMap<Destination>(config.maxKeys, config.destinationMemory);
  const cooldown = new Cooldown(config.cooldown, config.maxKeys);
  const clock = new EventClock();

  function checkVolume(event: SecurityEvent, flow: Flow, nowMs: number): Detection[] {
    const state = volume.add(flow.srcIp, nowMs, [flow.bytes], event.id);
    if (state.buckets < config.warmupBuckets) return [];
    const sent = state.current[0] as number;
    const baseline = state.mean[0] as number;
    if (sent < Math.max(config.minBytes, config.multiplier * baseline)) return [];
    state.anomalous = true;
    const entity = { type: 'ip' as const, value: flow.srcIp };
    if (!cooldown.allow(VOLUME, entity, nowMs)) return [];
    const minutes = Math.round(config.bucket / 60_000);
    const factor = baseline > 0 ? Math.round((sent / baseline) * 10) / 10 : 0;
    return [
      detection({
        ruleId: VOLUME,
        title: 'Internal host sending far more than usual',
        description: `One internal host sent ${mb(sent)} MB out of the network in ${minutes} min, ${
          baseline > 0 ? `${factor} times its learned baseline` : 'where it normally sends nothing'
        }: data may be leaving (exfiltration, a compromised host, a misconfigured backup).`,
        severity: 'high',
        attack: ['T1048', 'T1041'],
        evidence: {
          bytes: sent,
          baselineBytes: Math.round(baseline),
          bucketMinutes: minutes,
          lastDestination: flow.dstIp,
        },
        eventIds: [...state.ids].reverse(),
        entity,
        tags: ['network', 'egress', 'exfiltration'],
        timeMs: clock.absolute(nowMs),
      }),
    ];
  }

  function checkDestination(event: SecurityEvent, flow: Flow, nowMs: number): Detection[] {
    const learning = nowMs < config.learningPeriod;
    const known = destinations.upsert(flow.dstIp, nowMs, () => ({
      lastMs: nowMs,
      positionMs: nowMs,
      firstMs: nowMs,
      fresh: !learning,
      senders: new Map(),
    }));
    if (!known.fresh) return [];
    if (nowMs - known.firstMs > config.window) {
      // New for a whole window without a big transfer: it is an ordinary destination now.
      known.fresh = false;
      known.senders.clear();
      return [];
    }
    let sender = known.senders.get(flow.srcIp);
    if (sender === undefined) {
      if (known.senders.size >= 64) return [];
      sender = { bytes: 0, sinceMs: nowMs, ids: [] };
      known.senders.set(flow.srcIp, sender);
    }
    sender.bytes += flow.bytes;
    if (sender.ids.length < 200) sender.ids.push(event.id);
    if (sender.bytes < config.minNewDestinationBytes) return [];
    const entity = { type: 'ip' as const, value: flow.srcIp };
    if (!cooldown.allow(`${NEW_DESTINATION}|${flow.dstIp}`, entity, nowMs)) return [];
    const minutes = Math.max(1, Math.round((nowMs - sender.sinceMs) / 60_000));
    return [
      detection({
        ruleId: NEW_DESTINATION,
        title: 'Internal host sending data to a never-seen destination',
        description: `One internal host sent ${mb(sender.bytes)} MB in ${minutes} min to an outside address no internal host had talked to before: data may be leaving for an attacker's server.`,
        severity: 'high',
        attack: ['T1041', 'T1567'],
        evidence: {
          bytes: sender.bytes,
          destination: flow.dstIp,
          port: flow.dstPort,
          minutes,
        },
        eventIds: [...sender.ids].reverse(),
        entity,
        tags: ['network', 'egress', 'exfiltration'],
        timeMs: clock.absolute(nowMs),
      }),
    ];
  }

  function observeFlow(event: SecurityEvent, flow: Flow): Detection[] {
    if (isReply(flow) || !internal.has(flow.srcIp) || internal.has(flow.dstIp) || ignored.has(flow.dstIp))
      return [];
    const nowMs = clock.advance(event);
    if (nowMs === undefined) return [];
    volume.sweep(nowMs);
    destinations.sweep(nowMs);
    cooldown.sweep(nowMs);
    return [...checkVolume(event, flow, nowMs), ...checkDestination(event, flow, nowMs)];
  }

  return {
    name: 'unusual-egress',
    kinds: ['flow'],
    observe(event: SecurityEvent): Detection[] {
      const flow = flowOf(event);
      if (!config.enabled || flow === undefined) return [];
      return observeFlow(event, flow);
    },
    stateSize: () => volume.size + destinations.size + cooldown.size,
  };
}

function mb(bytes: number): string {
  return (bytes / 1_000_000).toFixed(1);
}
