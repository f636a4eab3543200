/**
 * The gateway's request entry point (hot path): identifies the client and the request id,
 * runs admission, size limits and the request-side inspection phases, then hands the
 * exchange to undici. Everything per request is plain code: no zod, no middleware chain.
 */
import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from 'node:http';
import { isIP } from 'node:net';
import type { Duplex, Readable } from 'node:stream';
import { setFlagsFromString } from 'node:v8';
import { Pool } from 'undici';
import { AdmissionControl } from './admission.js';
import { DecisionSync } from './decisions.js';
import { EventPublisher, type Outcome } from './events.js';
import { Exchange } from './exchange.js';
import { fastIdGenerator } from './fast-id.js';
import { clientIpFrom, isValidRequestId, upstreamRequestHeaders } from './headers.js';
import { checkVerdict, type InspectionContext } from './inspection.js';
import { normaliseIp } from './ip.js';
import { absoluteForm, isValidHost, requestProblem, type RequestProblem } from './request-rules.js';
import { emptyMetrics } from './metrics.js';
import { ChallengeGate } from './challenge/gate.js';
import { ModeEnforcer } from './modes/enforcer.js';
import { FailSafeGuard } from './modes/guard.js';
import type { ResolvedOptions } from './options.js';
import type { ConnectionFront } from './connections/front.js';

const isIp = (value: string): boolean => isIP(value) !== 0;

/**
 * undici reads the shop's answers with llhttp compiled to WebAssembly, and V8 compiles that
 * module on the gateway's first upstream request. Its optimising tier (TurboFan) then holds
 * about 36 MB of native memory for a moment on llhttp's one large state-machine function: a
 * plain gateway went from 84 to 120 MB RSS right after its first request, and that moment was
 * the peak RSS of bench:waf's gateway with the CRS. V8's baseline wasm compiler (Liftoff) alone
 * stays at 84 MB, and the gateway's CPU per request did not change measurably (plain gateway under
 * wrk, 3 alternating pairs: GET 83/65/80 against 75/65/79 µs, form POST 110/81/89 against
 * 85/82/103). A process-wide V8 setting read when a module compiles, so it is set before the
 * pool's first connection; BENCH_WASM_OPTIMISING=1 keeps V8's default, for measurements.
 */
export function keepWasmOnBaselineTier(): void {
  if (process.env['BENCH_WASM_OPTIMISING'] !== '1') setFlagsFromString('--liftoff-only');
}
// One id per request: core's newId costs a crypto call per id, see fast-id.ts.
const nextRequestId = fastIdGenerator('req');

export interface ClientIdentity {
  peerIp: string;
  clientIp: string;
  requestId: string;
}

export class GatewayCore {
  readonly pool: Pool;
  readonly metrics = emptyMetrics();
  readonly decisions: DecisionSync;
  readonly admission: AdmissionControl;
  readonly events: EventPublisher;
  /** Fail-safe modes and the proof-of-work challenge, checked after admission. */
  readonly failSafe: FailSafeGuard;
  /** Open WebSocket tunnels (client and upstream sockets), destroyed on close. */
  readonly tunnels = new Set<Duplex>();
  /** The connection front (set by createGateway): per-connection telemetry and the TLS fingerprint. */
  front: ConnectionFront | null = null;

  constructor(readonly options: ResolvedOptions) {
    keepWasmOnBaselineTier();
    // The upstream timeouts live on the pool, so no per-request timer or option object:
    // undici's own headers/body timers answer them (UND_ERR_*_TIMEOUT -> 504).
    this.pool = new Pool(options.upstream.origin, {
      connections: options.upstreamConnections,
      pipelining: 1,
      keepAliveTimeout: 30_000,
      headersTimeout: options.upstreamTimeoutMs,
      bodyTimeout: options.upstreamTimeoutMs,
      connect: { timeout: options.upstreamTimeoutMs },
    });
    this.decisions = new DecisionSync(
      options.decisions,
      options.decisionRefreshMs,
      options.clock,
      options.logger,
    );
    this.admission = new AdmissionControl(options, this.decisions);
    this.events = new EventPublisher(
      options.publishEvent,
      options.eventSampleRate,
      options.name,
      this.metrics,
      options.logger,
    );
    const modes = options.modes;
    this.failSafe = new FailSafeGuard(
      new ModeEnforcer(modes.catalogue, modes.provider, modes.refreshMs, options.clock, options.logger),
      options.challenge === null ? null : new ChallengeGate(options.challenge, options.brand),
      options.brand,
    );
  }

  identify(req: IncomingMessage): ClientIdentity {
    return this.identifyRaw(req.socket.remoteAddress, req.headers);
  }

  /** The identity from a peer address and parsed headers (also for requests node's parser refused). */
  identifyRaw(remoteAddress: string | undefined, headers: IncomingHttpHeaders): ClientIdentity {
    const peerIp = normaliseIp(remoteAddress ?? '');
    const trust = this.options.trustProxy;
    if (!trust) return { peerIp, clientIp: peerIp, requestId: nextRequestId() };
    const forwardedFor = headers['x-forwarded-for'];
    const firstFor = typeof forwardedFor === 'string' ? forwardedFor : forwardedFor?.[0];
    const clientIp = normaliseIp(clientIpFrom(peerIp, firstFor, true, isIp));
    const incomingId = headers['x-request-id'];
    const requestId =
      typeof incomingId === 'string' && isValidRequestId(incomingId) ? incomingId : nextRequestId();
    return { peerIp, clientIp, requestId };
  }

  readonly handle = (req: IncomingMessage, res: ServerResponse): void => {
    const startedAt = performance.now();
    const startedAtMs = Date.now();
    this.metrics.requests++;
    const options = this.options;
    const { peerIp, clientIp, requestId } = this.identify(req);
    const method = req.method ?? 'GET';
    const url = req.url ?? '/';
    const ja4 = this.front?.noteRequest(req.socket, req)?.ja4;
    const admission = this.admission.admit(clientIp, method, url, ja4);
    const exchange = new Exchange(
      this,
      req,
      res,
      requestId,
      clientIp,
      admission.route,
      admission.challenge,
      startedAtMs,
      startedAt,
    );
    if (ja4 !== undefined) exchange.ja4 = ja4;
    if (admission.reject !== null) {
      const { code, outcome, retryAfterSec } = admission.reject;
      return exchange.reply({ code, retryAfterSec, close: !req.complete }, outcome);
    }
    const failSafe = this.failSafe;
    if (failSafe.ownsRequest(url)) return failSafe.answerOwn(exchange, options.clock.nowMs());
    if (failSafe.enforce(exchange, method, url, admission.challenge, options.clock.nowMs())) return;
    // Requests the gateway will not forward are still inspected first (the WAF judges and logs
    // them), then refused; absolute-form targets go upstream in origin-form.
    const host = req.headers.host;
    const problem =
      req.httpVersionMajor === 1 &&
      url.charCodeAt(0) === 47 &&
      url.indexOf('#') === -1 &&
      (host === undefined || isValidHost(host))
        ? null
        : requestProblem(method, url, req.httpVersion, host);
    if (problem === null && url.charCodeAt(0) !== 47) exchange.upstreamPath = absoluteForm(url)?.path ?? url;
    if (problem !== null && options.inspection === null) return exchange.refuse(problem, !req.complete);

    const contentLength = req.headers['content-length'];
    const chunked = req.headers['transfer-encoding'] !== undefined;
    let declaredBytes = 0;
    if (contentLength !== undefined) {
      declaredBytes = Number(contentLength);
      if (declaredBytes > options.maxBodyBytes)
        return exchange.reply({ code: 'payload_too_large', close: true }, 'rejected');
    }
    const headers = upstreamRequestHeaders(req.rawHeaders, req.headers, {
      clientIp,
      peerIp,
      proto: 'encrypted' in req.socket && req.socket.encrypted ? 'https' : 'http',
      requestId,
      trustProxy: options.trustProxy,
      keepUpgrade: false,
    });
    if (options.inspection !== null) {
      void this.inspectAndForward(exchange, headers, declaredBytes > 0 || chunked, problem);
      return;
    }
    if (chunked) return exchange.forward(headers, exchange.countedBody(options.maxBodyBytes));
    if (declaredBytes > 0 && declaredBytes <= options.connections.bufferBodyBytes) {
      // A small body is received whole before the shop is asked: a client sending it slowly
      // (R-U-Dead-Yet) ties up its own connection, never one of the shop's pool.
      exchange.readBody(declaredBytes).then(
        (body) => body !== undefined && exchange.forward(headers, body),
        () => undefined, // the client went away mid-body: the exchange records it on close
      );
      return;
    }
    exchange.requestBytes = declaredBytes;
    exchange.forward(headers, declaredBytes > 0 ? (req as Readable) : null);
  };

  /** Request-side inspection phases (1 and 2); only runs when an inspector is configured. */
  private async inspectAndForward(
    exchange: Exchange,
    headers: string[],
    hasBody: boolean,
    problem: RequestProblem | null,
  ): Promise<void> {
    const inspector = this.options.inspection;
    if (inspector === null) return;
    const req = exchange.req;
    const ctx: InspectionContext = {
      requestId: exchange.requestId,
      clientIp: exchange.clientIp,
      method: req.method ?? 'GET',
      url: req.url ?? '/',
      headers: req.headers,
      rawHeaders: req.rawHeaders,
      httpVersion: req.httpVersion,
      clientPort: exchange.clientPort,
      route: exchange.route,
      vars: {},
    };
    exchange.ctx = ctx;
    try {
      if (inspector.onRequestHeaders) {
        const verdict = checkVerdict(await inspector.onRequestHeaders(ctx));
        if (verdict !== undefined) return exchange.block(verdict);
      }
      if (hasBody && inspector.onRequestBody && inspector.wantsRequestBody?.(ctx) !== false) {
        const limit = Math.min(this.options.maxBodyBytes, this.options.inspectionBodyLimitBytes);
        const body = await exchange.readBody(limit);
        if (body === undefined) return;
        const verdict = checkVerdict(await inspector.onRequestBody(ctx, body));
        if (verdict !== undefined) return exchange.block(verdict);
        if (problem !== null) return exchange.refuse(problem, false);
        return exchange.forward(headers, body);
      }
    } catch (err) {
      return exchange.inspectorFailed(err);
    }
    if (problem !== null) return exchange.refuse(problem, !req.complete);
    if (!hasBody) return exchange.forward(headers, null);
    exchange.forward(headers, exchange.countedBody(this.options.maxBodyBytes));
  }

  recordExchange(exchange: Exchange, outcome: Outcome): void {
    this.metrics.outcomes[outcome]++;
    if (!this.events.wants(outcome, exchange.status)) return;
    const req = exchange.req;
    this.events.publishRecord({
      requestId: exchange.requestId,
      startedAtMs: exchange.startedAtMs,
      latencyMs: exchange.endedAt - exchange.startedAt,
      clientIp: exchange.clientIp,
      clientPort: exchange.clientPort,
      userAgent: req.headers['user-agent'],
      method: req.method ?? 'GET',
      host: req.headers.host,
      path: req.url ?? '/',
      route: exchange.route,
      status: exchange.status,
      requestBytes: exchange.requestBytes,
      responseBytes: exchange.responseBytes,
      outcome,
      labels: exchange.labels,
      inspection: exchange.ctx?.findings,
      ja4: exchange.ja4,
    });
  }

  async close(): Promise<void> {
    this.decisions.stop();
    this.admission.stop();
    this.failSafe.enforcer?.stop();
    this.closeTunnels();
    await this.pool.close();
  }

  closeTunnels(): void {
    for (const socket of this.tunnels) socket.destroy();
    this.tunnels.clear();
  }
}
