/**
 * Gateway options and their defaults (source stage: the gateway in front of the shop).
 * The composition root builds a `GatewayOptions` from ensuresec.yaml; `resolveOptions`
 * fills the defaults once so the hot path reads plain numbers.
 */
import { pino, type Logger } from 'pino';
import type { Clock } from '../core/clock.js';
import { systemClock } from '../core/clock.js';
import type { SecurityEvent } from '../core/records/security-event.js';
import type { DecisionProvider } from './decisions.js';
import type { Inspector } from './inspection.js';
import type { ChallengeOptions } from './challenge/gate.js';
import { compileModes, type CompiledMode, type ModesConfig } from './modes/definitions.js';
import type { ModeProvider } from './modes/enforcer.js';
import {
  resolveConnectionSettings,
  type ConnectionSettings,
  type GatewayConnectionOptions,
  type GatewayTlsOptions,
} from './connections/settings.js';

export interface GatewayModesOptions {
  /** Route groups and modes from ensuresec.yaml, merged over the built-ins. */
  definitions?: Partial<ModesConfig>;
  /** Where the modes in force come from (the store, followed on the bus). */
  provider?: ModeProvider;
  /** Poll interval of the provider. Default 1 000. */
  refreshMs?: number;
}

export interface GatewayLimits {
  /** Request line plus headers; larger -> 431. Default 16 384. */
  maxHeaderBytes?: number;
  /** Request body (Content-Length up front, streamed bytes counted); larger -> 413. Default 10 MiB. */
  maxBodyBytes?: number;
  /** Time for a client to send the request headers. Default 10 000. */
  headersTimeoutMs?: number;
  /** Time for a client to send the whole request. Default 60 000. */
  requestTimeoutMs?: number;
  /** Time for the shop to answer with headers (and between body chunks); then 504. Default 30 000. */
  upstreamTimeoutMs?: number;
  /** Idle keep-alive time of client connections. Default 5 000. */
  keepAliveTimeoutMs?: number;
}

export interface ClientRateLimit {
  /** Requests allowed per window to one client ip. */
  requestsPerWindow: number;
  windowMs: number;
  /** Requests a client may send at once after being idle. Default: requestsPerWindow. */
  burst?: number;
}

export interface RouteRateLimit {
  /** Only this method (upper case); all methods when absent. */
  method?: string;
  pathPrefix: string;
  ratePerMinute: number;
  burst?: number;
  /** Shown as the event's route; default pathPrefix. */
  name?: string;
}

export interface GatewayOptions {
  /** The shop, e.g. http://127.0.0.1:8781. */
  upstream: string;
  /** Default 127.0.0.1. */
  host?: string;
  /** Default 8780; 0 for an ephemeral port. */
  port?: number;
  /** Gateway name in events' source. Default 'gateway'. */
  name?: string;
  limits?: GatewayLimits;
  /** Trust incoming X-Forwarded-* and X-Request-Id (only behind a proxy you run). Default false. */
  trustProxy?: boolean;
  /** Share of forwarded exchanges published as events, 0..1; errors and blocks always are. Default 1. */
  eventSampleRate?: number;
  rateLimits?: { perClient?: ClientRateLimit; routes?: RouteRateLimit[] };
  /** Called once per published exchange; must not block (bridge it to the Bus). */
  publishEvent?: (event: SecurityEvent) => void;
  decisions?: DecisionProvider;
  /** Poll interval of the decision provider. Default 500. */
  decisionRefreshMs?: number;
  inspection?: Inspector;
  /** Largest body buffered for an inspector; larger request bodies -> 413. Default 1 MiB. */
  inspectionBodyLimitBytes?: number;
  /** Upstream connections kept in the pool. Default 256. */
  upstreamConnections?: number;
  /** Fail-safe modes (always compiled, with the built-ins; enforced when a provider lists some in force). */
  modes?: GatewayModesOptions;
  /** Proof-of-work challenge; absent: challenged clients pass with a marker header only. */
  challenge?: ChallengeOptions;
  /** The shop's name on the gateway's own pages. Default 'Our shop'. */
  brand?: string;
  /** Per-client connection caps and slow-attack timeouts (connections/settings.ts). */
  connections?: GatewayConnectionOptions;
  /** Terminate TLS with these certificates (JA4 fingerprints each client); absent: plain HTTP. */
  tls?: GatewayTlsOptions;
  logger?: Logger;
  clock?: Clock;
}

export interface ResolvedOptions {
  upstream: URL;
  host: string;
  port: number;
  name: string;
  maxHeaderBytes: number;
  maxBodyBytes: number;
  headersTimeoutMs: number;
  requestTimeoutMs: number;
  upstreamTimeoutMs: number;
  keepAliveTimeoutMs: number;
  trustProxy: boolean;
  eventSampleRate: number;
  perClient: { ratePerMs: number; burst: number } | null;
  routes: Array<{
    method: string | null;
    pathPrefix: string;
    ratePerMs: number;
    burst: number;
    name: string;
  }>;
  publishEvent: ((event: SecurityEvent) => void) | null;
  decisions: DecisionProvider | null;
  decisionRefreshMs: number;
  inspection: Inspector | null;
  inspectionBodyLimitBytes: number;
  upstreamConnections: number;
  modes: { catalogue: Map<string, CompiledMode>; provider: ModeProvider | null; refreshMs: number };
  challenge: ChallengeOptions | null;
  brand: string;
  connections: ConnectionSettings;
  tls: GatewayTlsOptions | null;
  logger: Logger;
  clock: Clock;
}

function positive(value: number | undefined, fallback: number, key: string): number {
  if (value === undefined) return fallback;
  if (!Number.isFinite(value) || value <= 0)
    throw new RangeError(`gateway option ${key} must be a positive number`);
  return value;
}

export function resolveOptions(options: GatewayOptions): ResolvedOptions {
  const upstream = new URL(options.upstream);
  if (upstream.protocol !== 'http:' && upstream.protocol !== 'https:') {
    throw new RangeError('gateway option upstream must be an http: or https: URL');
  }
  const limits = options.limits ?? {};
  const sample = options.eventSampleRate ?? 1;
  if (!(sample >= 0 && sample <= 1))
    throw new RangeError('gateway option eventSampleRate must be within 0..1');
  const perClient = options.rateLimits?.perClient;
  const requestTimeoutMs = positive(limits.requestTimeoutMs, 60_000, 'limits.requestTimeoutMs');
  return {
    upstream,
    host: options.host ?? '127.0.0.1',
    port: options.port ?? 8780,
    name: options.name ?? 'gateway',
    maxHeaderBytes: positive(limits.maxHeaderBytes, 16_384, 'limits.maxHeaderBytes'),
    maxBodyBytes: positive(limits.maxBodyBytes, 10 * 1024 * 1024, 'limits.maxBodyBytes'),
    // node refuses a headers timeout longer than the request timeout.
    headersTimeoutMs: Math.min(
      positive(limits.headersTimeoutMs, 10_000, 'limits.headersTimeoutMs'),
      requestTimeoutMs,
    ),
    requestTimeoutMs,
    upstreamTimeoutMs: positive(limits.upstreamTimeoutMs, 30_000, 'limits.upstreamTimeoutMs'),
    keepAliveTimeoutMs: positive(limits.keepAliveTimeoutMs, 5_000, 'limits.keepAliveTimeoutMs'),
    trustProxy: options.trustProxy ?? false,
    eventSampleRate: sample,
    perClient: perClient
      ? {
          ratePerMs:
            positive(perClient.requestsPerWindow, 1, 'rateLimits.perClient.requestsPerWindow') /
            positive(perClient.windowMs, 1, 'rateLimits.perClient.windowMs'),
          burst: positive(perClient.burst ?? perClient.requestsPerWindow, 1, 'rateLimits.perClient.burst'),
        }
      : null,
    routes: (options.rateLimits?.routes ?? []).map((route, i) => ({
      method: route.method ? route.method.toUpperCase() : null,
      pathPrefix: route.pathPrefix,
      ratePerMs: positive(route.ratePerMinute, 1, `rateLimits.routes[${i}].ratePerMinute`) / 60_000,
      burst: positive(route.burst ?? route.ratePerMinute, 1, `rateLimits.routes[${i}].burst`),
      name: route.name ?? route.pathPrefix,
    })),
    publishEvent: options.publishEvent ?? null,
    decisions: options.decisions ?? null,
    decisionRefreshMs: positive(options.decisionRefreshMs, 500, 'decisionRefreshMs'),
    inspection: options.inspection ?? null,
    inspectionBodyLimitBytes: positive(
      options.inspectionBodyLimitBytes,
      1024 * 1024,
      'inspectionBodyLimitBytes',
    ),
    upstreamConnections: positive(options.upstreamConnections, 256, 'upstreamConnections'),
    modes: {
      catalogue: compileModes(options.modes?.definitions),
      provider: options.modes?.provider ?? null,
      refreshMs: positive(options.modes?.refreshMs, 1_000, 'modes.refreshMs'),
    },
    challenge: options.challenge ?? null,
    brand: options.brand ?? 'Our shop',
    connections: resolveConnectionSettings(options.connections, options.trustProxy ?? false),
    tls: options.tls ?? null,
    logger: options.logger ?? pino({ level: 'silent' }),
    clock: options.clock ?? systemClock,
  };
}
