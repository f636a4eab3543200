/**
 * The lenient front (gateway, beside node's HTTP server): requests node's strict parser
 * (llhttp) refuses, and CONNECT, still reach the inspection hook. node keeps parsing every
 * request it accepts; only when it refuses one does the front take the bytes node hands over
 * with the error (`err.rawPacket` on 'clientError'), parse them with the tolerant parser, run
 * the request phases, and answer: the block response when the inspector blocks, otherwise
 * the gateway's own refusal (400, 501 or 505, see request-rules.ts) with the response phases
 * run on it so the WAF completes and logs its transaction. CONNECT comes parsed through
 * node's 'connect' event and is judged the same way. Nothing on this path is ever proxied,
 * and every answer closes the connection.
 *
 * Why these hooks and not a socket front of our own: normal traffic pays nothing (no peek, no
 * unshift, no second parser to keep in step with llhttp, so no parser differential), and every
 * request node refuses, on any request of a kept-alive connection, is still seen. The limit:
 * the front judges the packet in which node failed; bytes of that request that arrive in later
 * packets are not read (node still owns the socket). Such a request is never forwarded either.
 *
 * @example
 * const front = new LenientFront(core);
 * server.on('clientError', (err, socket) => front.onClientError(err, socket) || answerAsBefore());
 * server.on('connect', (req, socket) => front.onConnect(req, socket));
 */
import type { IncomingMessage } from 'node:http';
import type { Socket } from 'node:net';
import type { Duplex, Writable } from 'node:stream';
import type { Outcome } from './events.js';
import type { GatewayCore } from './core.js';
import {
  checkVerdict,
  endInspection,
  inspectOwnAnswer,
  type BlockVerdict,
  type InspectionContext,
} from './inspection.js';
import { parseLenient, type LenientRequest } from './lenient-parser.js';
import { errorPayload, writeRawError } from './respond.js';
import { requestProblem, type RequestProblem } from './request-rules.js';
import { ERROR_CATALOGUE } from '../core/errors.js';
import { kConnection, type TaggedSocket } from './connections/front.js';

const fingerprintOf = (socket: Socket): string | undefined => (socket as TaggedSocket)[kConnection]?.ja4;

/** Errors node raises for a connection rather than for a request's bytes: answered as before. */
const NOT_A_REQUEST_ERROR = new Set(['ECONNRESET', 'HPE_HEADER_OVERFLOW', 'ERR_HTTP_REQUEST_TIMEOUT']);
/** A request line starts the packet (leading blank lines and whitespace allowed), not a header field. */
const REQUEST_LINE_START = /^[\r\n]*[ \t]*[!-~]+[ \t]/;
const HEADER_LINE_START = /^[\r\n]*[!-~]+:/;

interface Judgement {
  status: number;
  outcome: Outcome;
  labels: Record<string, string>;
}

export class LenientFront {
  /** Sockets whose refused request is being answered. */
  private readonly judging = new WeakSet<Duplex>();

  constructor(private readonly core: GatewayCore) {}

  /**
   * node's parser refused a request on `socket`: judges the request in the bytes node hands
   * over, or calls `fallback` (node's plain answer) when they hold none. Either runs after
   * `inFlight`, the response still being written on the connection, has finished.
   */
  onClientError(
    err: NodeJS.ErrnoException & { rawPacket?: unknown; bytesParsed?: number },
    socket: Duplex,
    inFlight: Writable | undefined,
    fallback: () => void,
  ): void {
    // node repeats 'clientError' for every later packet of a refused connection: answer once.
    if (this.judging.has(socket)) return;
    this.judging.add(socket);
    const request =
      NOT_A_REQUEST_ERROR.has(err.code ?? '') || !Buffer.isBuffer(err.rawPacket)
        ? null
        : this.requestAt(err.rawPacket, err.bytesParsed ?? 0);
    const labels = { parserError: String(err.code ?? 'unknown') };
    const answer = request === null ? fallback : () => void this.judge(request, socket as Socket, labels);
    if (inFlight === undefined || inFlight.writableFinished) return answer();
    inFlight.once('finish', answer);
    inFlight.once('close', () => {
      if (!inFlight.writableFinished) socket.destroy();
    });
  }

  /** A CONNECT request, parsed by node: judged, then refused (the gateway opens no tunnels). */
  onConnect(req: IncomingMessage, socket: Duplex): void {
    this.core.metrics.requests++;
    socket.on('error', () => socket.destroy());
    this.judging.add(socket);
    const request: LenientRequest = {
      method: req.method ?? 'CONNECT',
      target: req.url ?? '',
      version: `HTTP/${req.httpVersion}`,
      rawHeaders: req.rawHeaders,
      headers: req.headers,
      body: Buffer.alloc(0),
      headComplete: true,
      bodyComplete: true,
      headTooLarge: false,
      bodyTooLarge: false,
      length: 0,
      problems: [],
    };
    void this.judge(request, socket as Socket, {});
  }

  /**
   * The request in `packet` node failed on: the first one, or for pipelined requests the one
   * whose bytes cover the error offset. Null when the packet does not start with a request line
   * (node failed in a later packet of a request; the start of it is gone).
   */
  private requestAt(packet: Buffer, errorOffset: number): LenientRequest | null {
    const limits = this.limits();
    let offset = 0;
    for (;;) {
      const bytes = packet.subarray(offset);
      const start = bytes.toString('latin1', 0, 256);
      if (!REQUEST_LINE_START.test(start) || HEADER_LINE_START.test(start)) return null;
      const request = parseLenient(bytes, limits);
      const end = offset + request.length;
      if (!request.bodyComplete || end > errorOffset || end >= packet.length || request.length === 0)
        return request;
      offset = end;
    }
  }

  private limits(): { maxHeadBytes: number; maxBodyBytes: number } {
    const options = this.core.options;
    return {
      maxHeadBytes: options.maxHeaderBytes,
      maxBodyBytes: Math.min(options.maxBodyBytes, options.inspectionBodyLimitBytes),
    };
  }

  private async judge(
    request: LenientRequest,
    socket: Socket,
    labels: Record<string, string>,
  ): Promise<void> {
    const core = this.core;
    const startedAt = performance.now();
    const startedAtMs = Date.now();
    const { clientIp, requestId } = core.identifyRaw(socket.remoteAddress, request.headers);
    const ctx: InspectionContext = {
      requestId,
      clientIp,
      method: request.method,
      url: request.target,
      headers: request.headers,
      rawHeaders: request.rawHeaders,
      // The WAF builds REQUEST_PROTOCOL as `HTTP/<httpVersion>`; a version-less line is HTTP/0.9.
      httpVersion: request.version === '' ? '0.9' : request.version.replace(/^HTTP\//i, ''),
      protocol: request.version,
      clientPort: socket.remotePort,
      route: '',
      vars: {},
    };
    let judgement: Judgement;
    try {
      judgement = await this.decide(request, ctx, socket);
    } catch (err) {
      // Fail closed, as the normal path does: a crashing rule must not go unnoticed.
      core.options.logger.error({ err, requestId }, 'gateway inspector failed on a lenient request');
      judgement = { status: this.answer(socket, 'internal', requestId), outcome: 'rejected', labels: {} };
    }
    const latencyMs = performance.now() - startedAt;
    const inspector = core.options.inspection;
    if (inspector !== null)
      await endInspection(inspector, ctx, (err) =>
        core.options.logger.error({ err, requestId }, 'gateway inspector failed to end a lenient request'),
      );
    core.metrics.outcomes[judgement.outcome]++;
    core.events.record({
      requestId,
      startedAtMs,
      latencyMs,
      clientIp,
      clientPort: socket.remotePort,
      userAgent:
        typeof request.headers['user-agent'] === 'string' ? request.headers['user-agent'] : undefined,
      method: request.method.slice(0, 32) || 'UNKNOWN',
      host: typeof request.headers.host === 'string' ? request.headers.host : undefined,
      path: request.target,
      route: ctx.route,
      status: judgement.status,
      requestBytes: request.body.length,
      responseBytes: 0,
      outcome: judgement.outcome,
      labels: { ...labels, ...judgement.labels },
      inspection: ctx.findings,
      ja4: fingerprintOf(socket),
    });
  }

  /** Admission, limits, the request phases, then the gateway's refusal or the block. */
  private async decide(request: LenientRequest, ctx: InspectionContext, socket: Socket): Promise<Judgement> {
    const core = this.core;
    const admission = core.admission.admit(ctx.clientIp, ctx.method, ctx.url, fingerprintOf(socket));
    ctx.route = admission.route;
    if (admission.reject !== null) {
      const { code, outcome, retryAfterSec } = admission.reject;
      const extra = retryAfterSec !== undefined && retryAfterSec > 0 ? [`retry-after: ${retryAfterSec}`] : [];
      return { status: this.answer(socket, code, ctx.requestId, undefined, extra), outcome, labels: {} };
    }
    if (request.headTooLarge)
      return {
        status: this.answer(socket, 'headers_too_large', ctx.requestId),
        outcome: 'rejected',
        labels: {},
      };
    if (request.bodyTooLarge)
      return {
        status: this.answer(socket, 'payload_too_large', ctx.requestId),
        outcome: 'rejected',
        labels: {},
      };

    const problem: RequestProblem = requestProblem(
      request.method,
      request.target,
      request.version,
      typeof request.headers.host === 'string' ? request.headers.host : undefined,
    ) ?? { code: 'bad_request', reason: request.problems[0] ?? "node's HTTP parser refused the request" };
    const inspector = core.options.inspection;
    if (inspector !== null) {
      const blocked = await this.requestPhases(request, ctx);
      if (blocked !== undefined) return this.block(socket, ctx, blocked);
      const status = ERROR_CATALOGUE[problem.code].status;
      const own = await inspectOwnAnswer(
        inspector,
        ctx,
        status,
        Buffer.from(errorPayload(problem.code, ctx.requestId)),
      );
      if (own !== undefined) return this.block(socket, ctx, own);
    }
    const status = this.answer(socket, problem.code, ctx.requestId);
    return { status, outcome: 'rejected', labels: { refused: problem.reason.slice(0, 256) } };
  }

  private async requestPhases(
    request: LenientRequest,
    ctx: InspectionContext,
  ): Promise<BlockVerdict | undefined> {
    const inspector = this.core.options.inspection;
    if (inspector === null) return undefined;
    if (inspector.onRequestHeaders) {
      const verdict = checkVerdict(await inspector.onRequestHeaders(ctx));
      if (verdict !== undefined) return verdict;
    }
    const hasBody =
      Number(request.headers['content-length'] ?? 0) > 0 ||
      request.headers['transfer-encoding'] !== undefined;
    if (hasBody && inspector.onRequestBody && inspector.wantsRequestBody?.(ctx) !== false)
      return checkVerdict(await inspector.onRequestBody(ctx, request.body));
    return undefined;
  }

  private block(socket: Socket, ctx: InspectionContext, verdict: BlockVerdict): Judgement {
    this.core.options.logger.info(
      { requestId: ctx.requestId, ruleIds: verdict.ruleIds, message: verdict.message },
      'gateway blocked a request',
    );
    return {
      status: this.answer(socket, 'request_blocked', ctx.requestId, verdict.status),
      outcome: 'blocked',
      labels: { ruleIds: verdict.ruleIds.join(','), blockMessage: verdict.message.slice(0, 1024) },
    };
  }

  private answer(
    socket: Socket,
    code: Parameters<typeof writeRawError>[1],
    requestId: string,
    status?: number,
    extraHeaderLines: readonly string[] = [],
  ): number {
    const finalStatus = status ?? ERROR_CATALOGUE[code].status;
    if (!socket.writable) {
      socket.destroy();
      return finalStatus;
    }
    return writeRawError(socket, code, requestId, finalStatus, extraHeaderLines);
  }
}
