/**
 * The gateway's settings from `ensuresec.yaml` (server): what the embedded gateway of
 * `ensuresec start` and a remote one (`ensuresec start --follow`) configure alike. Each adds
 * where its decisions and modes come from, and what it does with its events.
 *
 * @example createGateway({ ...gatewayOptionsOf(config, {}), decisions, modes: { ...modes, provider } })
 */
import type { GatewayModesOptions, GatewayOptions } from '../gateway/options.js';
import type { GatewayConnectionOptions } from '../gateway/connections/settings.js';
import type { EnsuresecConfig } from './config/schema.js';

export function gatewayOptionsOf(
  config: EnsuresecConfig,
  overrides: { upstream?: string | undefined; gatewayPort?: number | undefined },
): Omit<GatewayOptions, 'decisions' | 'modes'> & { modes: Omit<GatewayModesOptions, 'provider'> } {
  const perClient = config.gateway.rateLimits.perClient;
  return {
    upstream: overrides.upstream ?? config.gateway.upstream,
    host: config.gateway.host,
    port: overrides.gatewayPort ?? config.gateway.port,
    limits: {
      maxHeaderBytes: config.gateway.limits.maxHeaderBytes,
      maxBodyBytes: config.gateway.limits.maxBodyBytes,
      headersTimeoutMs: config.gateway.limits.headersTimeout,
      requestTimeoutMs: config.gateway.limits.requestTimeout,
      upstreamTimeoutMs: config.gateway.limits.upstreamTimeout,
      keepAliveTimeoutMs: config.gateway.limits.keepAliveTimeout,
    },
    connections: connectionOptionsOf(config.gateway.connections),
    ...(config.gateway.tls === undefined
      ? {}
      : {
          tls: {
            certificates: config.gateway.tls.certificates,
            reloadCheckMs: config.gateway.tls.reloadCheck,
            minVersion: config.gateway.tls.minVersion,
          },
        }),
    trustProxy: config.gateway.trustProxy,
    rateLimits: {
      ...(perClient
        ? {
            perClient: {
              requestsPerWindow: perClient.ratePerMinute,
              windowMs: 60_000,
              burst: perClient.burst,
            },
          }
        : {}),
      routes: config.gateway.rateLimits.routes,
    },
    decisionRefreshMs: config.gateway.decisionRefresh,
    modes: {
      definitions: { groups: config.modes.groups, modes: config.modes.definitions },
      refreshMs: config.modes.refresh,
    },
    brand: config.modes.brand,
  };
}

function connectionOptionsOf(
  connections: EnsuresecConfig['gateway']['connections'],
): GatewayConnectionOptions {
  const options: GatewayConnectionOptions = {
    bodyIdleTimeoutMs: connections.bodyIdleTimeout,
    minBodyBytesPerSecond: connections.minBodyBytesPerSecond,
    bodyRateGraceMs: connections.bodyRateGrace,
    sendStallTimeoutMs: connections.sendStallTimeout,
    handshakeTimeoutMs: connections.handshakeTimeout,
    maxTrackedClients: connections.maxTrackedClients,
    flowEventIntervalMs: connections.flowEventInterval,
    flowEventsPerSecond: connections.flowEventsPerSecond,
    bufferBodyBytes: connections.bufferBodyBytes,
  };
  // Unset caps keep the gateway's defaults, which depend on trustProxy.
  if (connections.maxPerClient !== undefined) options.maxPerClient = connections.maxPerClient;
  if (connections.newPerSecondPerClient !== undefined)
    options.newPerSecondPerClient = connections.newPerSecondPerClient;
  if (connections.newBurstPerClient !== undefined) options.newBurstPerClient = connections.newBurstPerClient;
  return options;
}
