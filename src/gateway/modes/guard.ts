/**
 * The fail-safe guard (gateway enforcement, before proxying): answers the challenge endpoint,
 * applies the modes in force and serves the challenge to clients a mode or a `challenge`
 * decision names, unless they hold a valid pass. Returns true when it answered the request
 * itself. With no mode in force, no challenge decision and no challenge request, it costs one
 * length test and a string comparison.
 */
import type { IncomingMessage } from 'node:http';
import { errorBody } from '../../core/errors.js';
import { ChallengeGate } from '../challenge/gate.js';
import type { Exchange } from '../exchange.js';
import type { ModeEnforcer } from './enforcer.js';
import { modeJson, modePageHtml, wantsHtml } from './page.js';

export class FailSafeGuard {
  constructor(
    readonly enforcer: ModeEnforcer | null,
    readonly gate: ChallengeGate | null,
    private readonly brand: string,
  ) {}

  /** The challenge endpoint is the gateway's own: it never reaches the shop. */
  ownsRequest(url: string): boolean {
    return this.gate !== null && url.charCodeAt(1) === 46 && ChallengeGate.isChallengePath(url);
  }

  answerOwn(exchange: Exchange, nowMs: number): void {
    const socket = exchange.req.socket as IncomingMessage['socket'] & { encrypted?: boolean };
    this.gate
      ?.answerSolution(exchange, nowMs, socket.encrypted === true)
      .catch(() => exchange.inspectorFailed(new Error('challenge answer failed')));
  }

  /** true: answered (refused, rate-limited or challenged). */
  enforce(
    exchange: Exchange,
    method: string,
    url: string,
    challengedByDecision: boolean,
    nowMs: number,
  ): boolean {
    const verdict =
      this.enforcer === null ? null : this.enforcer.check(exchange.clientIp, method, url, nowMs);
    if (verdict === null && !challengedByDecision) return false;
    const req = exchange.req;
    if (verdict !== null && verdict.kind === 'refuse') {
      const status = verdict.code === 'mode_lockdown' ? 403 : 503;
      const headers = ['cache-control', 'no-store'];
      if (verdict.retryAfterSec > 0) headers.push('retry-after', String(verdict.retryAfterSec));
      const html = wantsHtml(req.headers.accept);
      headers.push('content-type', html ? 'text/html; charset=utf-8' : 'application/json; charset=utf-8');
      const body = html
        ? modePageHtml(this.brand, verdict.code, verdict.retryAfterSec, exchange.requestId)
        : modeJson(verdict.code, verdict.mode, exchange.requestId);
      exchange.answer(status, headers, body, 'rejected', { mode: verdict.mode });
      return true;
    }
    if (verdict !== null && verdict.kind === 'rate_limited') {
      const body = JSON.stringify(
        errorBody('rate_limited', `Fail-safe mode ${verdict.mode} limits this route.`, exchange.requestId),
      );
      const headers = [
        'retry-after',
        String(verdict.retryAfterSec),
        'content-type',
        'application/json; charset=utf-8',
      ];
      exchange.answer(429, headers, body, 'rate_limited', { mode: verdict.mode });
      return true;
    }
    const gate = this.gate;
    // Without a challenge secret a challenge cannot be checked: pass, as before challenges existed.
    if (gate === null) return false;
    if (gate.hasPass(req.headers.cookie, exchange.clientIp, req.headers['user-agent'], nowMs)) return false;
    gate.serveChallenge(exchange, verdict?.mode ?? 'decision', nowMs);
    return true;
  }
}
