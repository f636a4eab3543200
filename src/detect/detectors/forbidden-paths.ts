/**
 * Forbidden network paths (detect, built-in network detector): configurable rules saying who
 * may reach which ports of which hosts — "only the app servers may reach the database port of
 * the database servers" — and a detection (`network.forbidden-path`) for every source that
 * tries anything else, per rule, per cool-down. A rule names `destinations` (CIDRs, default
 * anywhere), `ports`, optionally `protocol`, and `allowedSources` (CIDRs). Attempts count even
 * when refused (a scan of the database port is what the rule is for); the evidence says
 * whether the connection was established. The default rule: database and cache ports
 * (PostgreSQL, MySQL, Redis, MongoDB, Elasticsearch, Memcached) reached from outside the
 * private networks. MITRE ATT&CK T1021 (remote services), T1190 when from outside.
 *
 * @example
 *   const detector = createForbiddenPathsDetector({
 *     rules: [{ name: 'db', destinations: ['10.0.2.0/24'], ports: [5432], allowedSources: ['10.0.1.0/24'] }],
 *   });
 */
import { z } from 'zod';
import { severity } from '../../core/records/common.js';
import type { SecurityEvent } from '../../core/records/index.js';
import type { Detection, Detector } from '../detector.js';
import { durationMs, maxKeys, parseDetectorConfig } from './kit/config.js';
import { Cooldown } from './kit/cooldown.js';
import { detection } from './kit/detection.js';
import { EventClock } from './kit/event-clock.js';
import {
  cidrList,
  flowOf,
  isProbe,
  isReply,
  networkSet,
  portList,
  PRIVATE_NETWORKS,
  protocolOf,
  type Flow,
  type NetworkSet,
} from './kit/flows.js';

const ruleSchema = z
  .object({
    name: z
      .string()
      .min(1)
      .max(64)
      .regex(/^[a-z0-9][a-z0-9_.-]*$/i, 'letters, digits, dot, dash and underscore'),
    /** Hosts the rule protects; default anywhere. */
    destinations: cidrList.default(['0.0.0.0/0', '::/0']),
    ports: portList.min(1),
    protocol: z.enum(['tcp', 'udp', 'any']).default('tcp'),
    /** The only sources allowed to reach them (may be empty: nobody). */
    allowedSources: cidrList,
    severity: severity.default('high'),
  })
  .strict();

export const forbiddenPathsConfigSchema = z
  .object({
    enabled: z.boolean().default(true),
    rules: z
      .array(ruleSchema)
      .max(1000)
      .prefault([
        {
          name: 'datastores-from-outside',
          ports: [5432, 3306, 6379, 27017, 9200, 11211],
          allowedSources: PRIVATE_NETWORKS,
        },
      ])
      .refine(
        (rules) => new Set(rules.map((r) => r.name)).size === rules.length,
        'rule names must be unique',
      ),
    cooldown: durationMs.prefault('1h'),
    maxKeys: maxKeys.default(100_000),
  })
  .strict();

export type ForbiddenPathsConfigInput = z.input<typeof forbiddenPathsConfigSchema>;

const RULE = 'network.forbidden-path';

interface CompiledRule {
  name: string;
  destinations: NetworkSet;
  ports: ReadonlySet<number>;
  protocol: 'tcp' | 'udp' | 'any';
  allowed: NetworkSet;
  severity: Detection['severity'];
  outsideOnly: boolean;
}

export function createForbiddenPathsDetector(
  input: ForbiddenPathsConfigInput = {},
  where = 'detectors.forbidden-paths',
): Detector {
  const config = parseDetectorConfig(forbiddenPathsConfigSchema, input, where);
  const rules: CompiledRule[] = config.rules.map((rule) => ({
    name: rule.name,
    destinations: networkSet(rule.destinations),
    ports: new Set(rule.ports),
    protocol: rule.protocol,
    allowed: networkSet(rule.allowedSources),
    severity: rule.severity,
    outsideOnly:
      rule.allowedSources.length > 0 && rule.allowedSources.every((c) => PRIVATE_NETWORKS.includes(c)),
  }));
  const allPorts = new Set(config.rules.flatMap((rule) => rule.ports));
  const cooldown = new Cooldown(config.cooldown, config.maxKeys);
  const clock = new EventClock();

  function matches(rule: CompiledRule, flow: Flow, protocol: string): boolean {
    if (!rule.ports.has(flow.dstPort)) return false;
    if (rule.protocol !== 'any' && rule.protocol !== protocol) return false;
    return rule.destinations.has(flow.dstIp) && !rule.allowed.has(flow.srcIp);
  }

  function observeFlow(event: SecurityEvent, flow: Flow): Detection[] {
    if (!allPorts.has(flow.dstPort) || isReply(flow)) return [];
    const protocol = protocolOf(flow);
    const broken = rules.filter((rule) => matches(rule, flow, protocol));
    if (broken.length === 0) return [];
    const nowMs = clock.advance(event);
    if (nowMs === undefined) return [];
    cooldown.sweep(nowMs);
    const entity = { type: 'ip' as const, value: flow.srcIp };
    const out: Detection[] = [];
    for (const rule of broken) {
      if (!cooldown.allow(`${RULE}|${rule.name}`, entity, nowMs)) continue;
      const established = !isProbe(flow);
      out.push(
        detection({
          ruleId: RULE,
          title: `Forbidden network path: ${rule.name}`,
          description: `An address outside the allowed sources of rule "${rule.name}" ${
            established ? 'connected to' : 'tried to reach'
          } port ${flow.dstPort}/${protocol} of a protected host${
            established ? ` and exchanged ${flow.bytes} bytes` : ' (the attempt was not established)'
          }: lateral movement, a misconfiguration or an exposed service.`,
          severity: established
            ? rule.severity
            : rule.severity === 'critical'
              ? 'high'
              : rule.severity === 'high'
                ? 'medium'
                : rule.severity,
          attack: rule.outsideOnly ? ['T1190', 'T1021'] : ['T1021'],
          evidence: {
            rule: rule.name,
            destination: flow.dstIp,
            port: flow.dstPort,
            protocol,
            established,
            bytes: flow.bytes,
            packets: flow.packets,
          },
          eventIds: [event.id],
          entity,
          tags: ['network', 'forbidden-path', rule.name],
          timeMs: clock.absolute(nowMs),
        }),
      );
    }
    return out;
  }

  return {
    name: 'forbidden-paths',
    kinds: ['flow'],
    observe(event: SecurityEvent): Detection[] {
      const flow = flowOf(event);
      if (!config.enabled || flow === undefined) return [];
      return observeFlow(event, flow);
    },
    stateSize: () => cooldown.size,
  };
}
