/**
 * Beaconing (detect, built-in network detector): malware checking in with its command and
 * control server makes small connections from one host to one destination at a regular
 * interval, with a little jitter (`network.beaconing`, MITRE ATT&CK T1071, T1573). Per
 * (source, destination, port) the detector keeps the start times of the last connections
 * (one per source port: the records a long connection is split into do not count) and fires
 * when at least `minConnections` of them came at a regular pace — the coefficient of
 * variation (standard deviation / mean) of the intervals at most `maxJitter` — with an
 * interval between `minInterval` and `maxInterval` and a median size of at most `maxBytes`.
 * By default only connections from internal networks to the outside count (health checks
 * and monitoring inside the network are regular too), and DNS/NTP are left out.
 *
 * @example
 *   const detector = createBeaconingDetector({ minConnections: 10, maxJitter: 0.2 });
 *   const detections = detector.observe(flowEvent);
 */
import { z } from 'zod';
import type { SecurityEvent } from '../../core/records/index.js';
import type { Detection, Detector } from '../detector.js';
import { BoundedMap, type Stamped } from './kit/bounded-map.js';
import { durationMs, fraction, maxKeys, parseDetectorConfig } from './kit/config.js';
import { Cooldown } from './kit/cooldown.js';
import { detection } from './kit/detection.js';
import { EventClock } from './kit/event-clock.js';
import {
  cidrList,
  flowOf,
  isReply,
  networkSet,
  portList,
  PRIVATE_NETWORKS,
  protocolOf,
  type Flow,
} from './kit/flows.js';

export const beaconingConfigSchema = z
  .object({
    enabled: z.boolean().default(true),
    minConnections: z.number().int().min(4).max(1000).default(10),
    /** Highest coefficient of variation of the intervals (0.2: ±20 % spread). */
    maxJitter: fraction.default(0.2),
    minInterval: durationMs.prefault('10s'),
    maxInterval: durationMs.prefault('6h'),
    /** Median bytes per connection at most this. */
    maxBytes: z.number().int().min(1).default(20_000),
    /** Where beacons come from; only to destinations outside them when `externalOnly`. */
    internalNetworks: cidrList.default(PRIVATE_NETWORKS),
    externalOnly: z.boolean().default(true),
    ignorePorts: portList.default([53, 123, 5353]),
    /** Destinations never reported (your monitoring, update servers). */
    ignoreDestinations: cidrList.default([]),
    cooldown: durationMs.prefault('12h'),
    maxKeys: maxKeys.default(100_000),
  })
  .strict();

export type BeaconingConfigInput = z.input<typeof beaconingConfigSchema>;

const RULE = 'network.beaconing';

interface Series extends Stamped {
  starts: number[];
  bytes: number[];
  ids: string[];
  lastSrcPort: number;
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((x, y) => x - y);
  const mid = sorted.length >> 1;
  return sorted.length % 2
    ? (sorted[mid] as number)
    : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}

export function createBeaconingDetector(
  input: BeaconingConfigInput = {},
  where = 'detectors.beaconing',
): Detector {
  const config = parseDetectorConfig(beaconingConfigSchema, input, where);
  const internal = networkSet(config.internalNetworks);
  const ignoredDestinations = networkSet(config.ignoreDestinations);
  const ignoredPorts = new Set(config.ignorePorts);
  const keep = config.minConnections;
  const series = new BoundedMap<Series>(config.maxKeys, config.maxInterval * 2);
  const cooldown = new Cooldown(config.cooldown, config.maxKeys);
  const clock = new EventClock();

  function eligible(flow: Flow): boolean {
    const protocol = protocolOf(flow);
    if (protocol !== 'tcp' && protocol !== 'udp') return false;
    if (ignoredPorts.has(flow.dstPort) || isReply(flow) || ignoredDestinations.has(flow.dstIp)) return false;
    if (!internal.has(flow.srcIp)) return false;
    return !config.externalOnly || !internal.has(flow.dstIp);
  }

  function observeFlow(event: SecurityEvent, flow: Flow): Detection[] {
    if (!eligible(flow)) return [];
    const nowMs = clock.advance(event);
    if (nowMs === undefined) return [];
    series.sweep(nowMs);
    cooldown.sweep(nowMs);
    const key = `${flow.srcIp}|${flow.dstIp}|${protocolOf(flow)}/${flow.dstPort}`;
    const s = series.upsert(key, nowMs, () => ({
      lastMs: nowMs,
      positionMs: nowMs,
      starts: [],
      bytes: [],
      ids: [],
      lastSrcPort: -1,
    }));
    // One connection exported in several records (active timeout) keeps its source port.
    if (flow.srcPort === s.lastSrcPort && flow.srcPort !== 0) return [];
    s.lastSrcPort = flow.srcPort;
    const start = flow.startMs > 0 ? flow.startMs : Date.parse(event.time);
    const previous = s.starts.at(-1);
    if (previous !== undefined && start - previous < config.minInterval / 2) return [];
    s.starts.push(start);
    s.bytes.push(flow.bytes);
    s.ids.push(event.id);
    if (s.starts.length > keep) {
      s.starts.shift();
      s.bytes.shift();
      s.ids.shift();
    }
    if (s.starts.length < keep) return [];
    // Records may arrive out of order (several exporters, late flushes): measure the sorted starts.
    const starts = [...s.starts].sort((x, y) => x - y);
    const intervals: number[] = [];
    for (let i = 1; i < starts.length; i++) intervals.push((starts[i] as number) - (starts[i - 1] as number));
    const mean = intervals.reduce((sum, x) => sum + x, 0) / intervals.length;
    if (mean < config.minInterval || mean > config.maxInterval) return [];
    const variance = intervals.reduce((sum, x) => sum + (x - mean) ** 2, 0) / intervals.length;
    const jitter = Math.sqrt(variance) / mean;
    const typicalBytes = median(s.bytes);
    if (jitter > config.maxJitter || typicalBytes > config.maxBytes) return [];
    const entity = { type: 'ip' as const, value: flow.srcIp };
    if (!cooldown.allow(`${RULE}|${flow.dstIp}|${flow.dstPort}`, entity, nowMs)) return [];
    const seconds = Math.round(mean / 1000);
    return [
      detection({
        ruleId: RULE,
        title: 'Regular small connections to one destination (beaconing)',
        description: `One host connected ${s.starts.length} times to the same destination and port, every ${seconds} s with a spread of ${Math.round(jitter * 100)} % and about ${Math.round(typicalBytes)} bytes each: the rhythm of malware checking in with its command-and-control server.`,
        severity: 'high',
        attack: ['T1071', 'T1573'],
        evidence: {
          connections: s.starts.length,
          intervalSeconds: seconds,
          jitter: Math.round(jitter * 1000) / 1000,
          medianBytes: Math.round(typicalBytes),
          destination: flow.dstIp,
          port: flow.dstPort,
          protocol: protocolOf(flow),
        },
        eventIds: [...s.ids].reverse(),
        entity,
        tags: ['network', 'beaconing', 'c2'],
        timeMs: clock.absolute(nowMs),
      }),
    ];
  }

  return {
    name: 'beaconing',
    kinds: ['flow'],
    observe(event: SecurityEvent): Detection[] {
      const flow = flowOf(event);
      if (!config.enabled || flow === undefined) return [];
      return observeFlow(event, flow);
    },
    stateSize: () => series.size + cooldown.size,
  };
}
