/**
 * The Ensuresec gateway: a reverse proxy in front of the shop (source stage of the flow).
 * It enforces decisions and rate limits, runs the inspection hook (the WAF), proxies HTTP
 * and WebSocket traffic with streamed bodies, and publishes one SecurityEvent per exchange.
 *
 * @example
 * const gateway = createGateway({
 *   upstream: 'http://127.0.0.1:8781',
 *   port: 8780,
 *   publishEvent: (event) => void bus.publish(TOPICS.events, event, { id: event.id }),
 *   decisions: { listActive: () => store.decisions.listActive() },
 * });
 * const { port } = await gateway.listen();
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { newId } from '../core/ids.js';
import { GatewayCore } from './core.js';
import { LenientFront } from './lenient-front.js';
import type { GatewayMetricsSnapshot } from './metrics.js';
import { resolveOptions, type GatewayOptions } from './options.js';
import { writeRawError } from './respond.js';
import { handleUpgrade } from './upgrade.js';
import { ConnectionFront, type ConnectionTelemetry } from './connections/front.js';
import { CertificateStore } from './tls/certificates.js';

export type { DecisionProvider } from './decisions.js';
export type { ExchangeRecord, Outcome } from './events.js';
export { buildSecurityEvent } from './events.js';
export type { BlockVerdict, InspectionContext, InspectionResult, Inspector } from './inspection.js';
export type { GatewayMetricsSnapshot } from './metrics.js';
export type { ClientRateLimit, GatewayLimits, GatewayOptions, RouteRateLimit } from './options.js';
export type { ActiveModeState, ModeProvider } from './modes/enforcer.js';
export type { ChallengeOptions } from './challenge/gate.js';
export type { ConnectionCounters, ConnectionTelemetry } from './connections/front.js';
export type { GatewayConnectionOptions, GatewayTlsOptions } from './connections/settings.js';

export interface Gateway {
  /** Loads the decisions once, then accepts connections. */
  listen(): Promise<{ port: number }>;
  /** Stops accepting, closes idle and open connections, and the upstream pool. */
  close(): Promise<void>;
  /** Where the gateway listens; null before listen(). */
  readonly address: { host: string; port: number } | null;
  /** A snapshot of the counters. */
  readonly metrics: GatewayMetricsSnapshot;
  /** Re-reads the decisions now (the provider's subscribe does this too). */
  refreshDecisions(): Promise<void>;
  /** Re-reads the fail-safe modes in force now (the provider's subscribe does this too). */
  refreshModes(): Promise<void>;
  /** The fail-safe modes this gateway enforces now. */
  readonly activeModes: string[];
  /** Connection timing histograms (for Prometheus). */
  connectionTelemetry(): ConnectionTelemetry;
  /** Re-reads the TLS certificate files now (they are also watched); false when the new ones are invalid. */
  reloadCertificates(): boolean;
}

export function createGateway(gatewayOptions: GatewayOptions): Gateway {
  const options = resolveOptions(gatewayOptions);
  // Throws config_invalid when a certificate or key cannot be used: never come up half-configured.
  const certificates =
    options.tls === null
      ? null
      : CertificateStore.load(options.tls.certificates, options.logger, options.tls.minVersion);
  const core = new GatewayCore(options);
  const server: Server = createServer(
    {
      maxHeaderSize: options.maxHeaderBytes,
      headersTimeout: options.headersTimeoutMs,
      requestTimeout: options.requestTimeoutMs,
      keepAliveTimeout: options.keepAliveTimeoutMs,
      // node checks request timeouts on this interval (30 s by default): keep it tight.
      connectionsCheckingInterval: Math.min(1_000, options.headersTimeoutMs),
      noDelay: true,
    },
    core.handle,
  );

  server.on('upgrade', (req, socket, head: Buffer) => {
    handleUpgrade(core, req, socket, head).catch((err: unknown) => {
      options.logger.error({ err }, 'gateway upgrade failed');
      socket.destroy();
    });
  });

  // Requests node's parser refuses, and CONNECT, still go through inspection (lenient-front.ts).
  const lenient = new LenientFront(core);
  server.on('connect', (req: IncomingMessage, socket: Duplex) => lenient.onConnect(req, socket));

  // The front owns the listening socket; node's HTTP server parses the connections it hands over.
  const front = new ConnectionFront(server, {
    settings: options.connections,
    headersTimeoutMs: options.headersTimeoutMs,
    certificates,
    publishEvent: options.publishEvent,
    sourceName: options.name,
    logger: options.logger,
  });
  core.front = front;

  server.on('clientError', (err: NodeJS.ErrnoException, socket) => {
    core.metrics.clientErrors++;
    if (err.code === 'ERR_HTTP_REQUEST_TIMEOUT') front.onRequestTimeout(socket as Socket);
    if (err.code === 'ECONNRESET' || !socket.writable) {
      socket.destroy();
      return;
    }
    // A response still being written on this connection (pipelining) is answered first.
    const inFlight = (socket as Socket & { _httpMessage?: ServerResponse | null })._httpMessage ?? undefined;
    lenient.onClientError(err, socket, inFlight, () => answerParserError(core, err, socket as Socket));
  });

  let listening: { host: string; port: number } | null = null;

  return {
    async listen() {
      await core.decisions.start();
      await core.failSafe.enforcer?.start();
      core.admission.start();
      const port = await front.listen(options.port, options.host);
      // node starts its headers and request timeout checks when its server listens; this one
      // never does (the front does), so it is told it is listening to start them.
      server.emit('listening');
      certificates?.watch(options.tls?.reloadCheckMs ?? 1_000);
      listening = { host: options.host, port };
      options.logger.info(
        { ...listening, upstream: options.upstream.origin, tls: certificates !== null },
        'gateway listening',
      );
      return { port };
    },
    async close() {
      // Upgraded sockets still count as server connections: end the tunnels first.
      core.closeTunnels();
      certificates?.close();
      server.closeAllConnections();
      // Stops node's timeout checks; the server itself never listened, so the error is expected.
      server.close(() => undefined);
      await front.close();
      await core.close();
      listening = null;
    },
    get address() {
      return listening;
    },
    get metrics(): GatewayMetricsSnapshot {
      return {
        ...core.metrics,
        outcomes: { ...core.metrics.outcomes },
        decisions: {
          indexed: core.decisions.index.size,
          refreshes: core.decisions.refreshes,
          refreshErrors: core.decisions.refreshErrors,
        },
        rateLimitBuckets: core.admission.bucketCount,
        connections: {
          ...front.counterSnapshot,
          // A getter: the scan of the client table runs only when someone reads it (the status).
          get topClients() {
            return front.topClients(10);
          },
          ...(certificates === null ? {} : { certificates: certificates.snapshot }),
        },
      };
    },
    connectionTelemetry: () => front.telemetry,
    reloadCertificates: () => certificates?.reload() ?? false,
    refreshDecisions: () => core.decisions.refresh(),
    refreshModes: () => core.failSafe.enforcer?.refresh() ?? Promise.resolve(),
    get activeModes() {
      return core.failSafe.enforcer?.activeNames() ?? [];
    },
  };
}

/** node's answer to what the lenient front does not judge (timeouts, oversized heads, no request line). */
function answerParserError(core: GatewayCore, err: NodeJS.ErrnoException, socket: Socket): void {
  if (!socket.writable) {
    socket.destroy();
    return;
  }
  const code =
    err.code === 'HPE_HEADER_OVERFLOW'
      ? 'headers_too_large'
      : err.code === 'ERR_HTTP_REQUEST_TIMEOUT'
        ? 'request_timeout'
        : 'bad_request';
  const requestId = newId('req');
  const status = writeRawError(socket, code, requestId);
  core.metrics.outcomes.rejected++;
  core.events.record({
    requestId,
    startedAtMs: Date.now(),
    latencyMs: 0,
    clientIp: socket.remoteAddress ?? '',
    clientPort: socket.remotePort,
    userAgent: undefined,
    method: 'UNKNOWN',
    host: undefined,
    path: '',
    route: '',
    status,
    requestBytes: 0,
    responseBytes: 0,
    outcome: 'rejected',
    labels: { parserError: String(err.code ?? 'unknown') },
  });
}
