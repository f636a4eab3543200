/**
 * Slow connection attacks (detect, built-in network detector): Slowloris, slow POST (R.U.D.Y.)
 * and connection exhaustion, which tie up a web server's connections with very little
 * traffic. Two rules, both per source address (MITRE ATT&CK T1499.002):
 * - `network.slow-attack.gateway`: the gateway closed connections of one client for sending
 *   headers or a body too slowly, or for going over the per-client connection cap (flow
 *   events from the gateway with `flow.state` `slow_headers`, `slow_body`, `connection_cap`),
 *   at least `minGatewayEvents` times within `window`;
 * - `network.slow-attack.flows`: a flow exporter saw one source hold at least `minFlows`
 *   long connections (`minDuration`) to web ports that carried almost nothing
 *   (`maxBytesPerSecond`), within `window`. A browser's one idle keep-alive or WebSocket is
 *   one such flow, not dozens.
 *
 * @example
 *   const detector = createSlowAttackDetector({ minGatewayEvents: 5, window: '5m' });
 *   const detections = detector.observe(gatewayFlowEvent);
 */
import { z } from 'zod';
import type { SecurityEvent } from '../../core/records/index.js';
import type { Detection, Detector } from '../detector.js';
import { count, durationMs, maxKeys, parseDetectorConfig } from './kit/config.js';
import { Cooldown } from './kit/cooldown.js';
import { detection, histogram } from './kit/detection.js';
import { EventClock } from './kit/event-clock.js';
import type { EventWindow } from './kit/event-window.js';
import { flowOf, isReply, portList, protocolOf, type Flow } from './kit/flows.js';
import { WindowTable } from './kit/window-table.js';

export const GATEWAY_SLOW_STATES = ['slow_headers', 'slow_body', 'connection_cap'] as const;

export const slowAttackConfigSchema = z
  .object({
    enabled: z.boolean().default(true),
    window: durationMs.prefault('10m'),
    /** Gateway closures (slow headers, slow body, connection cap) of one client within the window. */
    minGatewayEvents: count.default(5),
    /** Long, nearly empty flows to web ports from one source within the window. */
    minFlows: count.default(20),
    minDuration: durationMs.prefault('30s'),
    maxBytesPerSecond: z.number().min(0).default(50),
    webPorts: portList.default([80, 443, 8080, 8443]),
    cooldown: durationMs.prefault('30m'),
    maxKeys: maxKeys.default(100_000),
    maxEventsPerKey: count.default(1000),
  })
  .strict();

export type SlowAttackConfigInput = z.input<typeof slowAttackConfigSchema>;

const GATEWAY_RULE = 'network.slow-attack.gateway';
const FLOWS_RULE = 'network.slow-attack.flows';
const SLOW_STATES: ReadonlySet<string> = new Set(GATEWAY_SLOW_STATES);

export function createSlowAttackDetector(
  input: SlowAttackConfigInput = {},
  where = 'detectors.slow-attack',
): Detector {
  const config = parseDetectorConfig(slowAttackConfigSchema, input, where);
  const webPorts = new Set(config.webPorts);
  const options = {
    windowMs: config.window,
    maxKeys: config.maxKeys,
    maxEntriesPerKey: config.maxEventsPerKey,
  };
  const closures = new WindowTable(options);
  const slowFlows = new WindowTable(options);
  const cooldown = new Cooldown(config.cooldown, config.maxKeys);
  const clock = new EventClock();

  function fire(rule: string, ip: string, window: EventWindow, nowMs: number, gateway: boolean): Detection[] {
    const entity = { type: 'ip' as const, value: ip };
    if (!cooldown.allow(rule, entity, nowMs)) return [];
    const minutes = Math.round(config.window / 60_000);
    const live = [...window.live()];
    const description = gateway
      ? `The gateway closed ${window.size} connections of one client in ${minutes} min for sending too slowly or holding too many at once (${histogram(
          live.map((e) => e.a),
        )}): a slow connection attack (Slowloris, slow POST) trying to exhaust the server's connections.`
      : `One source held ${window.size} long connections to web ports in ${minutes} min that carried almost nothing (at most ${config.maxBytesPerSecond} bytes/s each, ${window.distinctA} distinct destinations): a slow connection attack trying to exhaust the server's connections.`;
    return [
      detection({
        ruleId: rule,
        title: gateway
          ? 'Slow connection attack stopped by the gateway'
          : 'Slow connection attack seen in flows',
        description,
        severity: 'high',
        attack: ['T1499.002'],
        evidence: gateway
          ? { closures: window.size, reasons: histogram(live.map((e) => e.a)), windowMinutes: minutes }
          : {
              flows: window.size,
              destinations: window.distinctA,
              bytes: window.sum(),
              windowMinutes: minutes,
            },
        eventIds: window.eventIds(),
        entity,
        tags: ['network', 'slow-attack', 'dos'],
        timeMs: clock.absolute(nowMs),
      }),
    ];
  }

  function isSlowFlow(flow: Flow): boolean {
    if (protocolOf(flow) !== 'tcp' || !webPorts.has(flow.dstPort) || isReply(flow)) return false;
    const durationMs = flow.endMs - flow.startMs;
    if (durationMs < config.minDuration) return false;
    return flow.bytes / (durationMs / 1000) <= config.maxBytesPerSecond;
  }

  function observeFlow(event: SecurityEvent, flow: Flow): Detection[] {
    const gateway = flow.state !== undefined && SLOW_STATES.has(flow.state);
    if (!gateway && !isSlowFlow(flow)) return [];
    const nowMs = clock.advance(event);
    if (nowMs === undefined) return [];
    closures.sweep(nowMs);
    slowFlows.sweep(nowMs);
    cooldown.sweep(nowMs);
    if (gateway) {
      const window = closures.add(flow.srcIp, {
        t: nowMs,
        id: event.id,
        failed: true,
        a: flow.state,
        b: undefined,
        amount: 0,
      });
      return window.size >= config.minGatewayEvents
        ? fire(GATEWAY_RULE, flow.srcIp, window, nowMs, true)
        : [];
    }
    const window = slowFlows.add(flow.srcIp, {
      t: nowMs,
      id: event.id,
      failed: false,
      a: flow.dstIp,
      b: undefined,
      amount: flow.bytes,
    });
    return window.size >= config.minFlows ? fire(FLOWS_RULE, flow.srcIp, window, nowMs, false) : [];
  }

  return {
    name: 'slow-attack',
    kinds: ['flow'],
    observe(event: SecurityEvent): Detection[] {
      const flow = flowOf(event);
      if (!config.enabled || flow === undefined) return [];
      return observeFlow(event, flow);
    },
    stateSize: () => closures.size + slowFlows.size + cooldown.size,
  };
}
