/**
 * One proxied HTTP exchange (the gateway's hot path): client request -> admission ->
 * optional inspection -> undici Pool dispatch -> streamed response -> one event. The class is
 * the undici dispatch handler itself, so response chunks go straight from the upstream
 * parser to `res.write` with backpressure (pause/resume), with no intermediate stream.
 */
import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from 'node:http';
import type { Readable } from 'node:stream';
import type { Dispatcher } from 'undici';
import { ERROR_CATALOGUE, type ErrorCode } from '../core/errors.js';
import type { Outcome } from './events.js';
import type { GatewayCore } from './core.js';
import { clientResponseHeaders } from './headers.js';
import {
  checkVerdict,
  endInspection,
  inspectOwnAnswer,
  isPromise,
  type BlockVerdict,
  type InspectionContext,
  type InspectionResult,
} from './inspection.js';
import { errorPayload, sendError, type ErrorReply } from './respond.js';
import type { RequestProblem } from './request-rules.js';

class BodyTooLargeError extends Error {}
class ExchangeEndedError extends Error {}

// Listeners shared by all exchanges (no closure per request): the response carries its exchange.
const kExchange = Symbol('exchange');
type ExchangeResponse = ServerResponse & { [kExchange]?: Exchange };
function onResponseClose(this: ExchangeResponse): void {
  this[kExchange]?.clientClosed();
}
function onResponseDrain(this: ExchangeResponse): void {
  this[kExchange]?.resumeUpstream();
}

const TIMEOUT_CODES = new Set(['UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT', 'UND_ERR_CONNECT_TIMEOUT']);

export class Exchange implements Dispatcher.DispatchHandler {
  requestBytes = 0;
  responseBytes = 0;
  status = 0;
  ctx: InspectionContext | null = null;
  labels: Record<string, string> | undefined = undefined;
  /** The client's JA4 TLS fingerprint (TLS connections only). */
  ja4: string | undefined = undefined;
  /** The path sent upstream: the client's target, or its origin-form for an absolute-form one. */
  upstreamPath: string;
  /** performance.now() when the exchange ended (its latency), set by finish. */
  endedAt = 0;
  /** Read up front: node detaches the socket from the request once the exchange is over. */
  readonly clientPort: number | undefined;
  private controller: Dispatcher.DispatchController | null = null;
  private done = false;
  private buffered: Buffer[] | null = null;
  private bufferedBytes = 0;
  private pendingHeaders: IncomingHttpHeaders | null = null;

  constructor(
    private readonly core: GatewayCore,
    readonly req: IncomingMessage,
    readonly res: ServerResponse,
    readonly requestId: string,
    readonly clientIp: string,
    readonly route: string,
    readonly challenge: boolean,
    readonly startedAtMs: number,
    readonly startedAt: number,
  ) {
    this.clientPort = req.socket.remotePort;
    this.upstreamPath = req.url ?? '/';
    (res as ExchangeResponse)[kExchange] = this;
    // `on`, not `once`: a response closes once, and `once` wraps the listener in a closure.
    res.on('close', onResponseClose);
  }

  /** Sends the request upstream; `body` is null, the request stream, a counted iterator or a buffer. */
  forward(headers: string[], body: Buffer | Readable | AsyncIterable<Buffer> | null): void {
    if (this.done) return;
    try {
      this.core.pool.dispatch(
        {
          path: this.upstreamPath,
          method: this.req.method as Dispatcher.HttpMethod,
          headers,
          // undici accepts async iterables as bodies at run time; its types only list streams.
          body: body as Buffer | Readable | null,
        },
        this,
      );
    } catch (err) {
      this.onResponseError(null, err as Error);
    }
  }

  /** Counts a streamed (chunked) request body and stops it at maxBodyBytes. */
  async *countedBody(limitBytes: number): AsyncGenerator<Buffer> {
    for await (const chunk of this.req as AsyncIterable<Buffer>) {
      this.requestBytes += chunk.length;
      if (this.requestBytes > limitBytes) throw new BodyTooLargeError('request body over the limit');
      yield chunk;
    }
  }

  /** Reads the whole body for an inspector; undefined (and a 413 sent) when over the limit. */
  async readBody(limitBytes: number): Promise<Buffer | undefined> {
    const chunks: Buffer[] = [];
    for await (const chunk of this.req as AsyncIterable<Buffer>) {
      this.requestBytes += chunk.length;
      if (this.requestBytes > limitBytes) {
        this.reply({ code: 'payload_too_large', close: true }, 'rejected');
        return undefined;
      }
      chunks.push(chunk);
    }
    return chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks, this.requestBytes);
  }

  onRequestStart(controller: Dispatcher.DispatchController): void {
    this.controller = controller;
    if (this.done) controller.abort(new ExchangeEndedError('exchange already answered'));
  }

  onResponseStart(
    controller: Dispatcher.DispatchController,
    statusCode: number,
    headers: IncomingHttpHeaders,
  ): void {
    if (statusCode < 200 || this.done) return;
    this.status = statusCode;
    const inspector = this.core.options.inspection;
    if (inspector === null || this.ctx === null) {
      this.res.writeHead(statusCode, clientResponseHeaders(headers, this.requestId, this.challenge));
      return;
    }
    this.ctx.response = { status: statusCode, headers };
    this.pendingHeaders = headers;
    if (inspector.onResponseBody && inspector.wantsResponseBody?.(this.ctx) !== false) this.buffered = [];
    const verdict = inspector.onResponseHeaders
      ? this.guard(() => inspector.onResponseHeaders?.(this.ctx as InspectionContext))
      : undefined;
    if (isPromise(verdict)) {
      controller.pause();
      verdict.then(
        (result) => this.afterResponseHeaders(result),
        (err: unknown) => this.inspectorFailed(err),
      );
    } else {
      this.afterResponseHeaders(verdict);
    }
  }

  onResponseData(controller: Dispatcher.DispatchController, chunk: Buffer): void {
    if (this.done) return;
    this.responseBytes += chunk.length;
    if (this.buffered !== null) {
      this.buffered.push(chunk);
      this.bufferedBytes += chunk.length;
      if (this.bufferedBytes >= this.core.options.inspectionBodyLimitBytes) {
        controller.pause();
        this.inspectBufferedResponse(false);
      }
      return;
    }
    if (!this.res.write(chunk)) {
      controller.pause();
      this.res.once('drain', onResponseDrain);
    }
  }

  onResponseEnd(): void {
    if (this.done) return;
    if (this.buffered !== null) {
      this.inspectBufferedResponse(true);
      return;
    }
    this.res.end();
    this.finish('forwarded');
  }

  onResponseError(_controller: Dispatcher.DispatchController | null, err: Error): void {
    if (this.done) return;
    if (err instanceof BodyTooLargeError) {
      this.reply({ code: 'payload_too_large', close: true }, 'rejected');
      return;
    }
    const code = (err as { code?: string }).code;
    const errorCode: ErrorCode =
      code !== undefined && TIMEOUT_CODES.has(code) ? 'upstream_timeout' : 'upstream_unavailable';
    this.core.options.logger.warn({ err, requestId: this.requestId }, 'gateway upstream request failed');
    this.reply({ code: errorCode, close: !this.req.complete }, 'upstream_error');
  }

  /** Answers with an error of the catalogue and ends the exchange. */
  reply(reply: ErrorReply, outcome: Outcome): void {
    if (this.done) return;
    const sent = sendError(this.res, { ...reply, challenge: this.challenge }, this.requestId);
    this.status = sent.status;
    this.responseBytes = sent.bytes;
    this.finish(outcome);
    this.controller?.abort(new ExchangeEndedError('exchange answered by the gateway'));
  }

  /**
   * Answers with a response the gateway made itself (fail-safe mode pages, the challenge) and
   * ends the exchange; `headers` are name/value pairs, the length and request id are added.
   */
  answer(
    status: number,
    headers: string[],
    body: string,
    outcome: Outcome,
    labels?: Record<string, string>,
  ): void {
    if (this.done) return;
    if (labels !== undefined) this.labels = labels;
    const bytes = Buffer.byteLength(body);
    headers.push('content-length', String(bytes), 'x-request-id', this.requestId);
    if (!this.req.complete) {
      headers.push('connection', 'close');
      this.res.shouldKeepAlive = false;
    }
    this.res.writeHead(status, headers);
    this.res.end(this.req.method === 'HEAD' ? undefined : body);
    this.status = status;
    this.responseBytes = bytes;
    this.finish(outcome);
    this.controller?.abort(new ExchangeEndedError('exchange answered by the gateway'));
  }

  block(verdict: BlockVerdict): void {
    this.core.options.logger.info(
      { requestId: this.requestId, ruleIds: verdict.ruleIds, message: verdict.message },
      'gateway blocked a request',
    );
    this.labels = { ruleIds: verdict.ruleIds.join(','), blockMessage: verdict.message.slice(0, 1024) };
    this.reply({ code: 'request_blocked', status: verdict.status, close: !this.req.complete }, 'blocked');
  }

  /**
   * Refuses a request the gateway will not forward (request-rules.ts). When it was inspected,
   * the response phases run on the refusal first, so the inspector completes its transaction.
   */
  refuse(problem: RequestProblem, close: boolean): void {
    this.labels = { refused: problem.reason.slice(0, 256) };
    const inspector = this.core.options.inspection;
    const ctx = this.ctx;
    if (inspector === null || ctx === null) return this.reply({ code: problem.code, close }, 'rejected');
    const status = ERROR_CATALOGUE[problem.code].status;
    inspectOwnAnswer(inspector, ctx, status, Buffer.from(errorPayload(problem.code, this.requestId))).then(
      (verdict) =>
        verdict === undefined ? this.reply({ code: problem.code, close }, 'rejected') : this.block(verdict),
      (err: unknown) => this.inspectorFailed(err),
    );
  }

  inspectorFailed(err: unknown): void {
    // Fail closed: a crashing rule must not become a way around the WAF.
    this.core.options.logger.error({ err, requestId: this.requestId }, 'gateway inspector failed');
    this.reply({ code: 'internal', close: !this.req.complete }, 'rejected');
  }

  /** Runs an inspector phase; a throw becomes a rejected promise so one path handles both. */
  guard(
    phase: () => InspectionResult | Promise<InspectionResult>,
  ): InspectionResult | Promise<InspectionResult> {
    try {
      return phase();
    } catch (err) {
      return Promise.reject(err);
    }
  }

  private afterResponseHeaders(result: InspectionResult): void {
    if (this.done) return;
    const verdict = checkVerdict(result);
    if (verdict !== undefined) return this.block(verdict);
    if (this.buffered === null) this.writePendingHead();
    this.controller?.resume();
  }

  private writePendingHead(): void {
    this.res.writeHead(
      this.status,
      clientResponseHeaders(this.pendingHeaders ?? {}, this.requestId, this.challenge),
    );
    this.pendingHeaders = null;
  }

  private inspectBufferedResponse(ended: boolean): void {
    const chunks = this.buffered ?? [];
    const body = chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks, this.bufferedBytes);
    const inspector = this.core.options.inspection;
    const ctx = this.ctx as InspectionContext;
    const result = inspector?.onResponseBody
      ? this.guard(() => inspector.onResponseBody?.(ctx, body))
      : undefined;
    const proceed = (value: InspectionResult): void => {
      if (this.done) return;
      const verdict = checkVerdict(value);
      if (verdict !== undefined) return this.block(verdict);
      this.buffered = null;
      this.writePendingHead();
      if (ended) {
        this.res.end(body);
        this.finish('forwarded');
      } else {
        // ProcessPartial: the rest of a large body streams on uninspected.
        this.res.write(body);
        this.controller?.resume();
      }
    };
    if (isPromise(result)) result.then(proceed, (err: unknown) => this.inspectorFailed(err));
    else proceed(result);
  }

  resumeUpstream(): void {
    this.controller?.resume();
  }

  clientClosed(): void {
    if (this.done) return;
    // The client went away mid-exchange: stop the upstream work and record what we saw.
    if (this.status === 0) this.status = 499;
    this.finish('forwarded');
    this.controller?.abort(new ExchangeEndedError('client closed the connection'));
  }

  private finish(outcome: Outcome): void {
    this.done = true;
    this.endedAt = performance.now();
    const inspector = this.core.options.inspection;
    const ended =
      inspector === null || this.ctx === null
        ? undefined
        : endInspection(inspector, this.ctx, (err) =>
            this.core.options.logger.error(
              { err, requestId: this.requestId },
              'gateway inspector failed to end an exchange',
            ),
          );
    // The event waits for the inspector's last word, so it carries what the request matched.
    if (ended === undefined) this.core.recordExchange(this, outcome);
    else void ended.then(() => this.core.recordExchange(this, outcome));
  }
}
