/**
 * The inspection hook: where the WAF engine (src/gateway/waf/, next issue) plugs into the
 * gateway. An `Inspector` implements any of four phases, the same four as ModSecurity/Coraza:
 *
 *   1. onRequestHeaders(ctx)        before anything is sent to the shop
 *   2. onRequestBody(ctx, body)     the whole request body, buffered (only if this phase exists)
 *   3. onResponseHeaders(ctx)       the shop's status and headers, before the client sees them
 *   4. onResponseBody(ctx, body)    the response body, buffered (only if this phase exists)
 *
 * Each phase returns `undefined` to continue or a `BlockVerdict`; it may return a Promise
 * (the exchange waits). A block answers the client with the verdict's status and the
 * `request_blocked` error body (the rule ids and message go to the event and the log, never
 * to the client), and the exchange's event gets outcome 'blocked'.
 *
 * Bodies are buffered only when the inspector has the body phase and `wantsRequestBody` /
 * `wantsResponseBody` (when present) say yes for this exchange. A request body larger than
 * `inspectionBodyLimitBytes` is refused with 413; for a response body only the first
 * `inspectionBodyLimitBytes` are inspected and the rest streams on (ModSecurity's
 * ProcessPartial), so a large download never sits in memory.
 *
 * Phases run in the order above; `ctx` is the same object in all of them, and `ctx.vars`
 * carries the inspector's own state (for example an anomaly score) between phases.
 *
 * An exchange can end before its last phase: the client goes away, the shop fails, the body
 * is refused, a WebSocket upgrade becomes a tunnel. Then the gateway calls `onEnd(ctx)` once,
 * if the inspector has one and has not set `ctx.findings` (which marks an exchange it completed
 * itself): the inspector finishes its work there (the WAF runs its logging phase, so what the
 * request matched is logged even when nobody waits for the answer) and lets go of what it
 * holds for the exchange. The exchange's SecurityEvent waits for it, so it carries the findings.
 *
 * @example
 * const inspector: Inspector = {
 *   onRequestHeaders: (ctx) =>
 *     ctx.headers['x-attack'] === '1'
 *       ? { action: 'block', status: 403, ruleIds: ['900001'], message: 'x-attack header' }
 *       : undefined,
 * };
 * createGateway({ upstream: 'http://127.0.0.1:8781', inspection: inspector });
 */
import type { IncomingHttpHeaders } from 'node:http';

export interface BlockVerdict {
  action: 'block';
  /** HTTP status answered to the client, 400..599 (usually 403). */
  status: number;
  ruleIds: string[];
  message: string;
}

export type InspectionResult = BlockVerdict | undefined;
export type MaybePromise<T> = T | Promise<T>;

export interface InspectionContext {
  requestId: string;
  clientIp: string;
  method: string;
  /** Path and query as the client sent them. */
  url: string;
  /** Request headers, names lower-cased (node's `req.headers`). */
  headers: IncomingHttpHeaders;
  /** The request headers as received, name/value alternating (node's `req.rawHeaders`, latin1). */
  rawHeaders?: string[];
  /** `1.1`, `1.0` */
  httpVersion?: string;
  /**
   * The version token exactly as the request line gave it (`HTTP/4.0`, '' for none); set only
   * by the lenient front, for requests node's parser refused. Inspectors that build
   * REQUEST_PROTOCOL should prefer it to `HTTP/${httpVersion}`.
   */
  protocol?: string;
  clientPort?: number;
  /** Set by the inspector for the exchange's SecurityEvent (e.g. the WAF's matched rules). */
  findings?: InspectionFindings;
  route: string;
  /** Set before onResponseHeaders. */
  response?: { status: number; headers: IncomingHttpHeaders };
  /** The inspector's own per-exchange state. */
  vars: Record<string, unknown>;
}

export interface InspectionFindings {
  ruleIds: string[];
  /** The rule that blocked (or would have, in detection-only mode). */
  blockedBy?: string;
  detectionOnly?: boolean;
}

export interface Inspector {
  onRequestHeaders?(ctx: InspectionContext): MaybePromise<InspectionResult>;
  onRequestBody?(ctx: InspectionContext, body: Buffer): MaybePromise<InspectionResult>;
  onResponseHeaders?(ctx: InspectionContext): MaybePromise<InspectionResult>;
  onResponseBody?(ctx: InspectionContext, body: Buffer): MaybePromise<InspectionResult>;
  /** Whether to buffer this request's body for onRequestBody; default yes. */
  wantsRequestBody?(ctx: InspectionContext): boolean;
  /** Whether to buffer this response's body for onResponseBody; default yes. */
  wantsResponseBody?(ctx: InspectionContext): boolean;
  /** The exchange ended before the inspector completed it (see above); its verdict cannot change anything. */
  onEnd?(ctx: InspectionContext): MaybePromise<void>;
}

/** Normalises what an inspector returned; a malformed verdict blocks with 403 rather than passing. */
export function checkVerdict(result: unknown): BlockVerdict | undefined {
  if (result === undefined || result === null) return undefined;
  const verdict = result as Partial<BlockVerdict>;
  const status =
    typeof verdict.status === 'number' && verdict.status >= 400 && verdict.status <= 599
      ? verdict.status
      : 403;
  return {
    action: 'block',
    status,
    ruleIds: Array.isArray(verdict.ruleIds) ? verdict.ruleIds.map(String) : [],
    message: typeof verdict.message === 'string' ? verdict.message : 'blocked by inspection',
  };
}

/**
 * Runs the response phases on an answer the gateway gives itself after the request phases
 * passed (a request it will not proxy): the inspector sees that answer as the response, so it
 * completes its transaction (the WAF logs its matches in phase 5). Resolves with a verdict when
 * the inspector blocks the answer; a throwing inspector rejects.
 */
export async function inspectOwnAnswer(
  inspector: Inspector,
  ctx: InspectionContext,
  status: number,
  body: Buffer,
): Promise<BlockVerdict | undefined> {
  ctx.response = {
    status,
    headers: { 'content-type': 'application/json; charset=utf-8', 'content-length': String(body.length) },
  };
  if (inspector.onResponseHeaders) {
    const verdict = checkVerdict(await inspector.onResponseHeaders(ctx));
    if (verdict !== undefined) return verdict;
  }
  if (inspector.onResponseBody && inspector.wantsResponseBody?.(ctx) !== false)
    return checkVerdict(await inspector.onResponseBody(ctx, body));
  return undefined;
}

/**
 * Ends an exchange's inspection (see `onEnd`): nothing to do when the inspector completed it
 * (ctx.findings set) or has no onEnd. Never throws or rejects: a failure goes to `onError`,
 * as the answer has been given already.
 */
export function endInspection(
  inspector: Inspector,
  ctx: InspectionContext,
  onError: (err: unknown) => void,
): Promise<void> | undefined {
  if (ctx.findings !== undefined || inspector.onEnd === undefined) return undefined;
  try {
    const ended = inspector.onEnd(ctx);
    return isPromise(ended) ? ended.catch(onError) : undefined;
  } catch (err) {
    onError(err);
    return undefined;
  }
}

export function isPromise<T>(value: MaybePromise<T>): value is Promise<T> {
  return typeof (value as { then?: unknown } | undefined)?.then === 'function';
}
