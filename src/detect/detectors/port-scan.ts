/**
 * Port scans (detect, built-in network detector), from flow events (NetFlow/IPFIX, Zeek,
 * Suricata): one source probing many ports of one host (`network.port-scan.vertical`),
 * many hosts (`network.port-scan.horizontal`, usually on one or a few ports), or either
 * slowly, below the short window's threshold but over hours (`network.port-scan.slow`). Only
 * probes count: SYNs nobody answered, rejected or reset attempts, tiny exchanges (a connect
 * scan of an open port); answer halves of one-way flows are left out. A busy client (a NAT
 * full of shoppers) opening thousands of real connections to ports 80/443 of one server is
 * not a scan: its connections carry data and reach two ports. MITRE ATT&CK T1046.
 *
 * @example
 *   const detector = createPortScanDetector({ minPorts: 20, window: '5m' });
 *   const detections = detector.observe(flowEvent);
 */
import { z } from 'zod';
import type { SecurityEvent } from '../../core/records/index.js';
import type { Detection, Detector } from '../detector.js';
import { count, durationMs, maxKeys, parseDetectorConfig } from './kit/config.js';
import { BoundedMap, type Stamped } from './kit/bounded-map.js';
import { Cooldown } from './kit/cooldown.js';
import { detection, histogram } from './kit/detection.js';
import { EventClock } from './kit/event-clock.js';
import {
  cidrList,
  flowOf,
  isProbe,
  isReply,
  networkSet,
  portList,
  protocolOf,
  type Flow,
} from './kit/flows.js';
import type { EventWindow } from './kit/event-window.js';
import { WindowTable } from './kit/window-table.js';

export const portScanConfigSchema = z
  .object({
    enabled: z.boolean().default(true),
    /** Distinct ports of one host probed by one source within `window`. */
    minPorts: count.default(20),
    /** Distinct hosts probed by one source within `window`. */
    minHosts: count.default(20),
    window: durationMs.prefault('5m'),
    /** The slow-scan window and its thresholds (distinct ports of one host, or hosts). */
    slowWindow: durationMs.prefault('2h'),
    slowMinPorts: count.default(40),
    slowMinHosts: count.default(60),
    /** Destination ports left out (UDP DNS and NTP: a resolver talks to many servers with tiny flows). */
    ignorePorts: portList.default([53, 123]),
    /** Sources never reported (vulnerability scanners of your own, monitoring). */
    ignoreSources: cidrList.default([]),
    cooldown: durationMs.prefault('1h'),
    maxKeys: maxKeys.default(100_000),
    maxEventsPerKey: count.default(2000),
  })
  .strict();

export type PortScanConfigInput = z.input<typeof portScanConfigSchema>;

const VERTICAL = 'network.port-scan.vertical';
const HORIZONTAL = 'network.port-scan.horizontal';
const SLOW = 'network.port-scan.slow';

export function createPortScanDetector(
  input: PortScanConfigInput = {},
  where = 'detectors.port-scan',
): Detector {
  const config = parseDetectorConfig(portScanConfigSchema, input, where);
  const ignored = networkSet(config.ignoreSources);
  const ignoredPorts = new Set(config.ignorePorts);
  const table = (windowMs: number) =>
    new WindowTable({ windowMs, maxKeys: config.maxKeys, maxEntriesPerKey: config.maxEventsPerKey });
  // Per source and host: the ports probed (a) by protocol (b).
  const perHost = table(config.window);
  // Per source: the hosts probed (a) and the ports (b).
  const perSource = table(config.window);
  const slowPerHost = table(config.slowWindow);
  const slowPerSource = table(config.slowWindow);
  const tables = [perHost, perSource, slowPerHost, slowPerSource];
  const cooldown = new Cooldown(config.cooldown, config.maxKeys);
  // Sources a fast rule fired on within the slow window: their scan is reported already.
  const reported = new BoundedMap<Stamped>(config.maxKeys, config.slowWindow);
  const clock = new EventClock();

  function fire(
    rule: string,
    flow: Flow,
    window: EventWindow,
    nowMs: number,
    shape: 'vertical' | 'horizontal',
    windowMs: number,
  ): Detection[] {
    const entity = { type: 'ip' as const, value: flow.srcIp };
    if (!cooldown.allow(rule, entity, nowMs)) return [];
    const minutes = Math.round(windowMs / 60_000);
    const live = [...window.live()];
    const probes = live.length;
    const slow = rule === SLOW;
    const title = slow
      ? 'Slow port scan from one address'
      : shape === 'vertical'
        ? 'Port scan of one host (many ports)'
        : 'Port sweep over many hosts';
    const what =
      shape === 'vertical'
        ? `${window.distinctA} distinct ports of one host`
        : `${window.distinctA} distinct hosts (ports ${histogram(
            live.map((entry) => entry.b),
            5,
          )})`;
    return [
      detection({
        ruleId: rule,
        title,
        description: `One address probed ${what} in ${minutes} min with ${probes} unanswered, rejected or tiny connection attempts${slow ? ', slowly enough to stay under the short-window threshold' : ''}: reconnaissance before an intrusion.`,
        severity: slow || shape === 'vertical' ? 'medium' : 'high',
        attack: ['T1046'],
        evidence: {
          shape,
          probes,
          distinctPorts: shape === 'vertical' ? window.distinctA : window.distinctB,
          distinctHosts: shape === 'horizontal' ? window.distinctA : 1,
          ...(shape === 'vertical' ? { target: flow.dstIp } : {}),
          protocol: protocolOf(flow),
          windowMinutes: minutes,
        },
        eventIds: window.eventIds(),
        entity,
        tags: ['network', 'port-scan', shape],
        timeMs: clock.absolute(nowMs),
      }),
    ];
  }

  function observeFlow(event: SecurityEvent, flow: Flow): Detection[] {
    if (ignoredPorts.has(flow.dstPort) || !isProbe(flow) || isReply(flow) || ignored.has(flow.srcIp))
      return [];
    const nowMs = clock.advance(event);
    if (nowMs === undefined) return [];
    for (const t of tables) t.sweep(nowMs);
    cooldown.sweep(nowMs);
    reported.sweep(nowMs);
    const protocol = protocolOf(flow);
    const port = `${protocol}/${flow.dstPort}`;
    const hostKey = `${flow.srcIp}|${flow.dstIp}`;
    const entry = (a: string, b: string) => ({ t: nowMs, id: event.id, failed: true, a, b, amount: 0 });
    const vertical = perHost.add(hostKey, entry(port, protocol));
    const horizontal = perSource.add(flow.srcIp, entry(flow.dstIp, port));
    const slowVertical = slowPerHost.add(hostKey, entry(port, protocol));
    const slowHorizontal = slowPerSource.add(flow.srcIp, entry(flow.dstIp, port));
    const fast =
      vertical.distinctA >= config.minPorts
        ? fire(VERTICAL, flow, vertical, nowMs, 'vertical', config.window)
        : horizontal.distinctA >= config.minHosts
          ? fire(HORIZONTAL, flow, horizontal, nowMs, 'horizontal', config.window)
          : undefined;
    if (fast !== undefined) {
      reported.upsert(flow.srcIp, nowMs, () => ({ lastMs: nowMs, positionMs: nowMs }));
      return fast;
    }
    if (reported.peek(flow.srcIp, nowMs) !== undefined) return [];
    if (slowVertical.distinctA >= config.slowMinPorts)
      return fire(SLOW, flow, slowVertical, nowMs, 'vertical', config.slowWindow);
    if (slowHorizontal.distinctA >= config.slowMinHosts)
      return fire(SLOW, flow, slowHorizontal, nowMs, 'horizontal', config.slowWindow);
    return [];
  }

  return {
    name: 'port-scan',
    kinds: ['flow'],
    observe(event: SecurityEvent): Detection[] {
      const flow = flowOf(event);
      if (!config.enabled || flow === undefined) return [];
      return observeFlow(event, flow);
    },
    stateSize: () =>
      perHost.size + perSource.size + slowPerHost.size + slowPerSource.size + cooldown.size + reported.size,
  };
}
