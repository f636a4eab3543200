/**
 * SecurityEvent: the one envelope for anything observed (an HTTP exchange summary, a log
 * line, a business event, a flow, a sensor reading). Each source fills the section of its
 * kind; personal fields are marked and pseudonymised when the event leaves the shop.
 */
import { z } from 'zod';
import { personal } from '../personal-data.js';
import { idOf, isoTimestamp, labels, severity } from './common.js';

export const EVENT_KINDS = ['http', 'log', 'business', 'flow', 'sensor'] as const;

export const clientSection = z.object({
  ip: personal('client_address', z.string().max(64)),
  port: z.number().int().min(0).max(65535).optional(),
  userAgent: z.string().max(2048).optional(),
  ja4: z.string().max(64).optional(),
});

export const httpSection = z.object({
  requestId: z.string().max(128),
  method: z.string().max(32),
  host: z.string().max(512).optional(),
  path: z.string().max(8192),
  /** HTTP version as the request line gave it, e.g. `HTTP/1.1` (access logs). */
  protocol: z.string().max(32).optional(),
  route: z.string().max(512).optional(),
  referer: z.string().max(8192).optional(),
  /** The authenticated user a web server logged (`%u`, `$remote_user`). */
  user: personal('account_id', z.string().max(256)).optional(),
  status: z.number().int().min(0).max(999),
  requestBytes: z.number().int().min(0),
  responseBytes: z.number().int().min(0),
  latencyMs: z.number().min(0),
  /** What the gateway did: passed it on, or answered itself (ban, throttle, limit, upstream error). */
  outcome: z.enum([
    'forwarded',
    'banned',
    'throttled',
    'rate_limited',
    'rejected',
    'upstream_error',
    'blocked',
  ]),
  upgrade: z.boolean().optional(),
  /** What the gateway's inspector (the WAF) found: the rules that matched, the one that blocked. */
  inspection: z
    .object({
      ruleIds: z.array(z.string().max(32)).max(500),
      blockedBy: z.string().max(32).optional(),
      detectionOnly: z.boolean().optional(),
    })
    .optional(),
});

export const logSection = z.object({
  line: z.string().max(65536),
  format: z.string().max(64).optional(),
});

export const businessSection = z.object({
  type: z.string().max(64),
  outcome: z.enum(['success', 'failure']).optional(),
  accountId: personal('account_id', z.string().max(256)).optional(),
  email: personal('email', z.string().max(320)).optional(),
  postalAddress: personal('postal_address', z.string().max(1024)).optional(),
  cardFingerprint: personal('card_fingerprint', z.string().max(256)).optional(),
  amountMinor: z.number().int().optional(),
  currency: z.string().length(3).optional(),
  attributes: z.record(z.string(), z.unknown()).default({}),
});

export const flowSection = z.object({
  srcIp: personal('client_address', z.string().max(64)),
  dstIp: z.string().max(64),
  srcPort: z.number().int().min(0).max(65535),
  dstPort: z.number().int().min(0).max(65535),
  protocol: z.string().max(16),
  bytes: z.number().int().min(0),
  packets: z.number().int().min(0),
  startMs: z.number().int().min(0),
  endMs: z.number().int().min(0),
});

export const sensorSection = z.object({
  deviceId: z.string().max(256),
  type: z.string().max(64),
  value: z.number(),
  unit: z.string().max(32).optional(),
});

export const securityEventSchema = z.object({
  id: idOf('evt'),
  time: isoTimestamp,
  kind: z.enum(EVENT_KINDS),
  source: z.object({ type: z.string().max(64), name: z.string().max(256) }),
  severity: severity.default('info'),
  client: clientSection.optional(),
  http: httpSection.optional(),
  log: logSection.optional(),
  business: businessSection.optional(),
  flow: flowSection.optional(),
  sensor: sensorSection.optional(),
  labels,
});

export type SecurityEvent = z.infer<typeof securityEventSchema>;
export type SecurityEventInput = z.input<typeof securityEventSchema>;
