/**
 * Admission (gateway enforcement, before anything reaches the shop): applies the strongest
 * decision for the client ip or TLS fingerprint (ban -> 403, throttle -> its token bucket -> 429, challenge ->
 * pass with a marker header, allow -> exempt from rate limits), then the per-client and
 * per-route rate limits. The common case returns a shared constant: no allocation.
 */
import type { DecisionSync } from './decisions.js';
import type { Outcome } from './events.js';
import type { ResolvedOptions } from './options.js';
import { TokenBuckets } from './token-bucket.js';

export interface Admission {
  /** null: pass to the shop. */
  reject: null | { outcome: Outcome; code: 'banned' | 'rate_limited'; retryAfterSec: number };
  challenge: boolean;
  /** Route label for events: a configured route's name, else the first path segment. */
  route: string;
}

const PASS_ROOT: Admission = { reject: null, challenge: false, route: '/' };

export class AdmissionControl {
  readonly clientBuckets = new TokenBuckets();
  readonly routeBuckets = new TokenBuckets();
  readonly throttleBuckets = new TokenBuckets();
  private evictTimer: NodeJS.Timeout | null = null;

  constructor(
    private readonly options: ResolvedOptions,
    private readonly decisions: DecisionSync,
  ) {}

  start(evictEveryMs = 30_000): void {
    this.evictTimer = setInterval(() => {
      const nowMs = this.options.clock.nowMs();
      this.clientBuckets.evictIdle(nowMs);
      this.routeBuckets.evictIdle(nowMs);
      this.throttleBuckets.evictIdle(nowMs);
    }, evictEveryMs);
    this.evictTimer.unref();
  }

  stop(): void {
    if (this.evictTimer !== null) clearInterval(this.evictTimer);
    this.evictTimer = null;
  }

  get bucketCount(): number {
    return this.clientBuckets.size + this.routeBuckets.size + this.throttleBuckets.size;
  }

  /** `ja4`: the client's TLS fingerprint, for decisions of scope ja4 (absent on plain HTTP). */
  admit(clientIp: string, method: string, url: string, ja4?: string): Admission {
    const options = this.options;
    const nowMs = options.clock.nowMs();
    let routeIndex = -1;
    for (let i = 0; i < options.routes.length; i++) {
      const rule = options.routes[i];
      if (
        rule !== undefined &&
        (rule.method === null || rule.method === method) &&
        url.startsWith(rule.pathPrefix)
      ) {
        routeIndex = i;
        break;
      }
    }
    const rule = routeIndex >= 0 ? options.routes[routeIndex] : undefined;
    const route = rule !== undefined ? rule.name : firstSegment(url);

    const decision = this.decisions.index.match(clientIp, nowMs, ja4);
    let challenge = false;
    if (decision !== undefined) {
      if (decision.action === 'ban')
        return { reject: { outcome: 'banned', code: 'banned', retryAfterSec: 0 }, challenge, route };
      if (decision.action === 'throttle') {
        const waitMs = this.throttleBuckets.take(decision.id, decision.ratePerMs, decision.burst, nowMs);
        if (waitMs > 0) return rejectRate('throttled', waitMs, route);
      } else if (decision.action === 'allow') {
        return { reject: null, challenge, route };
      }
      challenge = decision.action === 'challenge';
    }
    if (options.perClient !== null) {
      const waitMs = this.clientBuckets.take(
        clientIp,
        options.perClient.ratePerMs,
        options.perClient.burst,
        nowMs,
      );
      if (waitMs > 0) return rejectRate('rate_limited', waitMs, route);
    }
    if (rule !== undefined) {
      const waitMs = this.routeBuckets.take(`${routeIndex}|${clientIp}`, rule.ratePerMs, rule.burst, nowMs);
      if (waitMs > 0) return rejectRate('rate_limited', waitMs, route);
    }
    if (!challenge && route === '/') return PASS_ROOT;
    return { reject: null, challenge, route };
  }
}

function rejectRate(outcome: Outcome, waitMs: number, route: string): Admission {
  return {
    reject: { outcome, code: 'rate_limited', retryAfterSec: Math.max(1, Math.ceil(waitMs / 1000)) },
    challenge: false,
    route,
  };
}

/** `/products/42?x` -> `/products`; the first segment is a coarse, bounded route label. */
export function firstSegment(url: string): string {
  let end = url.length;
  for (let i = 1; i < url.length; i++) {
    const c = url.charCodeAt(i);
    if (c === 47 || c === 63 || c === 35) {
      end = i;
      break;
    }
  }
  if (end <= 1) return '/';
  return end > 65 ? url.slice(0, 65) : url.slice(0, end);
}
