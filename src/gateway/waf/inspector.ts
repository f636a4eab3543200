/**
 * The WAF as the gateway's inspector (gateway/waf): runs each exchange through an engine
 * transaction, phase by phase, as the gateway's inspection hook calls it, and hands the
 * outcome on (match lines for the log, matched rules for the SecurityEvent).
 *
 * Phase 2 must run before the request is forwarded even when there is no body (CRS runs
 * most attack rules on ARGS in phase 2), so a bodiless request runs phases 1 and 2 at once.
 * Phase 5 runs in the last hook the gateway calls for the exchange, or in onEnd when the
 * exchange ended before its response phases.
 */
import type { IncomingHttpHeaders } from 'node:http';
import type { InspectionContext, InspectionResult, Inspector } from '../inspection.js';
import type { WafEngine } from './engine/engine.js';
import type { WafInterruption, WafResult } from './engine/results.js';
import type { WafTransaction } from './engine/transaction.js';

export interface WafInspectorOptions {
  /** One call per logged match line (`[id "NNNNNN"] [msg "..."]`), in order, with the request id. */
  onMatchLine?: (line: string, requestId: string) => void;
  /** Once per exchange, after phase 5. */
  onResult?: (ctx: InspectionContext, result: WafResult) => void;
}

/** The gateway's Inspector, plus what the worker pool asks of an exchange between phases. */
export interface WafInspector extends Inspector {
  /**
   * False when the exchange's phase 3 cannot interrupt it (WafTransaction.responseHeadersMayInterrupt):
   * the pool then lets the response go on without waiting for phase 3's answer.
   */
  responseHeadersMayBlock(ctx: InspectionContext): boolean;
}

const TX_KEY = Symbol('waf-transaction');

function headerPairs(
  headers: IncomingHttpHeaders,
  rawHeaders: string[] | undefined,
): Array<[string, string]> {
  if (rawHeaders) {
    const pairs: Array<[string, string]> = [];
    for (let i = 0; i + 1 < rawHeaders.length; i += 2)
      pairs.push([rawHeaders[i] as string, rawHeaders[i + 1] as string]);
    return pairs;
  }
  const pairs: Array<[string, string]> = [];
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined) continue;
    for (const item of Array.isArray(value) ? value : [value]) pairs.push([name, item]);
  }
  return pairs;
}

function hasRequestBody(headers: IncomingHttpHeaders): boolean {
  return Number(headers['content-length'] ?? 0) > 0 || headers['transfer-encoding'] !== undefined;
}

export function createWafInspector(engine: WafEngine, options: WafInspectorOptions = {}): WafInspector {
  const transactionOf = (ctx: InspectionContext) => (ctx.vars as Record<symbol, WafTransaction>)[TX_KEY];

  function finish(ctx: InspectionContext, tx: WafTransaction): void {
    const result = tx.processLogging();
    for (const line of result.matchLines) options.onMatchLine?.(line, ctx.requestId);
    const blockedBy = result.interruption?.ruleId ?? result.wouldInterrupt?.ruleId;
    ctx.findings = {
      ruleIds: result.matchedRules.map((match) => String(match.id)),
      ...(blockedBy === undefined ? {} : { blockedBy: String(blockedBy) }),
      ...(result.engineMode === 'DetectionOnly' ? { detectionOnly: true } : {}),
    };
    options.onResult?.(ctx, result);
  }

  function verdict(
    ctx: InspectionContext,
    tx: WafTransaction,
    interruption: WafInterruption | null,
  ): InspectionResult {
    if (interruption === null) return undefined;
    finish(ctx, tx);
    return {
      action: 'block',
      status: interruption.status,
      ruleIds: [String(interruption.ruleId)],
      message: `Blocked by rule ${interruption.ruleId}`,
    };
  }

  return {
    onRequestHeaders(ctx) {
      const tx = engine.newTransaction({
        remoteAddr: ctx.clientIp,
        method: ctx.method,
        uri: ctx.url,
        protocol: ctx.protocol ?? `HTTP/${ctx.httpVersion ?? '1.1'}`,
        headers: headerPairs(ctx.headers, ctx.rawHeaders),
        uniqueId: ctx.requestId,
        ...(ctx.clientPort === undefined ? {} : { remotePort: ctx.clientPort }),
      });
      (ctx.vars as Record<symbol, WafTransaction>)[TX_KEY] = tx;
      const interruption = tx.processRequestHeaders();
      if (interruption !== null || hasRequestBody(ctx.headers)) return verdict(ctx, tx, interruption);
      return verdict(ctx, tx, tx.processRequestBody());
    },
    wantsRequestBody: () => engine.settings.requestBodyAccess,
    onRequestBody(ctx, body) {
      const tx = transactionOf(ctx);
      return tx ? verdict(ctx, tx, tx.processRequestBody(body)) : undefined;
    },
    onResponseHeaders(ctx) {
      const tx = transactionOf(ctx);
      if (!tx || !ctx.response) return undefined;
      const interruption = tx.processResponseHeaders({
        status: ctx.response.status,
        headers: headerPairs(ctx.response.headers, undefined),
      });
      if (interruption === null && !tx.wantsResponseBody()) finish(ctx, tx);
      return verdict(ctx, tx, interruption);
    },
    wantsResponseBody(ctx) {
      const type =
        String(ctx.response?.headers['content-type'] ?? '')
          .split(';')[0]
          ?.trim()
          .toLowerCase() ?? '';
      return engine.settings.responseBodyAccess && engine.settings.responseBodyMimeTypes.includes(type);
    },
    onResponseBody(ctx, body) {
      const tx = transactionOf(ctx);
      if (!tx) return undefined;
      const interruption = tx.processResponseBody(body);
      if (interruption === null) finish(ctx, tx);
      return verdict(ctx, tx, interruption);
    },
    onEnd(ctx) {
      // Ended early (client gone, shop failed, upgrade): the logging phase still runs, as in
      // ModSecurity, so the matches of a request nobody waited for are logged.
      const tx = transactionOf(ctx);
      if (tx && ctx.findings === undefined) finish(ctx, tx);
    },
    responseHeadersMayBlock(ctx) {
      return transactionOf(ctx)?.responseHeadersMayInterrupt() ?? true;
    },
  };
}
