/**
 * The scanner's HTTP client (undici). Every request passes scope, budget, rate and
 * concurrency limits; every response is read up to `maxResponseBytes` and within
 * `timeoutMs`, so a hostile target (endless or huge bodies, slow drip, redirect loops,
 * binary junk) costs at most one timeout and one capped buffer. It never throws for what a
 * target does: failures are values with a reason the scan report repeats.
 */
import { rootCertificates } from 'node:tls';
import { Agent, request, type Dispatcher } from 'undici';
import type { Scope } from '../scope.js';
import { RateLimiter, RequestBudget, Semaphore } from './limits.js';

export interface ScanHttpOptions {
  scope: Scope;
  maxRequests: number;
  ratePerSecond: number;
  concurrency: number;
  /** For one whole exchange: connect, headers and body. */
  timeoutMs: number;
  maxResponseBytes: number;
  maxRedirects?: number;
  userAgent?: string;
  /** Extra headers sent with every request (authenticated scans: a cookie or bearer token). */
  headers?: Record<string, string>;
  /**
   * PEM certificates trusted besides Node's public roots: a staging shop behind a private CA or
   * with a self-signed certificate (`--ca-cert`). Certificate checking is never turned off.
   */
  caCertificates?: string[];
  signal?: AbortSignal;
}

export interface ScanRequest {
  url: string;
  method?: string;
  headers?: Record<string, string>;
  body?: string;
  /** Follow redirects within scope (default false: the 3xx response is returned). */
  followRedirects?: boolean;
  jar?: CookieJar;
}

export interface ScanResponse {
  ok: true;
  method: string;
  url: string;
  requestHeaders: Record<string, string>;
  requestBody?: string;
  status: number;
  headers: Record<string, string>;
  setCookies: string[];
  body: string;
  bodyBytes: number;
  /** The body was cut at `maxResponseBytes`. */
  truncated: boolean;
  redirects: string[];
  elapsedMs: number;
}

export type FailureReason =
  | 'budget_exhausted'
  | 'out_of_scope'
  | 'timeout'
  | 'redirect_loop'
  | 'too_many_redirects'
  | 'network_error'
  | 'aborted';

export interface ScanFailure {
  ok: false;
  method: string;
  url: string;
  reason: FailureReason;
  detail: string;
}

export type ScanResult = ScanResponse | ScanFailure;

/** A minimal cookie jar (name → value) for flows that need a session, such as a login form. */
export class CookieJar {
  readonly cookies = new Map<string, string>();
  store(setCookies: string[]): void {
    for (const line of setCookies) {
      const pair = line.split(';', 1)[0] ?? '';
      const eq = pair.indexOf('=');
      if (eq > 0) this.cookies.set(pair.slice(0, eq).trim(), pair.slice(eq + 1).trim());
    }
  }
  header(): string | undefined {
    if (this.cookies.size === 0) return undefined;
    return [...this.cookies].map(([name, value]) => `${name}=${value}`).join('; ');
  }
}

export interface ScanHttpStats {
  sent: number;
  failed: number;
  budgetLeft: number;
}

export class ScanHttpClient {
  private readonly budget: RequestBudget;
  private readonly rate: RateLimiter;
  private readonly slots: Semaphore;
  private readonly agent: Agent;
  private failures = 0;
  onRequest: (() => void) | undefined;

  constructor(private readonly options: ScanHttpOptions) {
    this.budget = new RequestBudget(options.maxRequests);
    this.rate = new RateLimiter(options.ratePerSecond);
    this.slots = new Semaphore(Math.max(1, options.concurrency));
    this.agent = new Agent({
      connections: Math.max(1, options.concurrency),
      headersTimeout: options.timeoutMs,
      bodyTimeout: options.timeoutMs,
      connect: {
        timeout: options.timeoutMs,
        ...(options.caCertificates?.length ? { ca: [...rootCertificates, ...options.caCertificates] } : {}),
      },
    });
  }

  get scope(): Scope {
    return this.options.scope;
  }

  stats(): ScanHttpStats {
    return { sent: this.budget.used, failed: this.failures, budgetLeft: this.budget.remaining };
  }

  async close(): Promise<void> {
    await this.agent.destroy();
  }

  /**
   * For requests another client sends (the headless browser): applies the same scope, budget and
   * rate, and counts the request. Null when it may go, else why not.
   */
  async admit(raw: string): Promise<string | null> {
    const url = safeUrl(raw);
    if (!url) return 'not a valid URL';
    const why = this.options.scope.whyOutOfScope(url);
    if (why) return why;
    if (this.options.signal?.aborted) return 'the scan was stopped';
    if (!this.budget.take()) return `the budget of ${this.options.maxRequests} requests is spent`;
    await this.rate.wait(this.options.signal);
    this.onRequest?.();
    return null;
  }

  /** Sent with every request (the browser sends them too). */
  get extraHeaders(): Record<string, string> {
    return {
      'user-agent': this.options.userAgent ?? 'ensuresec-scan (security scanner)',
      ...this.options.headers,
    };
  }

  async send(req: ScanRequest): Promise<ScanResult> {
    const method = req.method ?? 'GET';
    const redirects: string[] = [];
    let current = req;
    for (;;) {
      const result = await this.sendOnce({ ...current, method });
      if (!result.ok || !req.followRedirects) return this.counted(result, redirects);
      const location = result.headers['location'];
      if (result.status < 300 || result.status >= 400 || !location) return { ...result, redirects };
      const next = safeUrl(location, result.url);
      if (!next || !this.options.scope.allows(next)) return { ...result, redirects };
      if (next.href === result.url || redirects.includes(next.href)) {
        return this.counted(failure(method, req.url, 'redirect_loop', `redirect loop at ${next.href}`), []);
      }
      redirects.push(next.href);
      if (redirects.length > (this.options.maxRedirects ?? 5)) {
        return this.counted(
          failure(
            method,
            req.url,
            'too_many_redirects',
            `more than ${this.options.maxRedirects ?? 5} redirects`,
          ),
          [],
        );
      }
      current = { ...current, url: next.href, method: 'GET', body: undefined };
    }
  }

  private counted(result: ScanResult, redirects: string[]): ScanResult {
    if (!result.ok) {
      this.failures++;
      return result;
    }
    return { ...result, redirects };
  }

  private async sendOnce(req: ScanRequest & { method: string }): Promise<ScanResult> {
    const url = safeUrl(req.url);
    if (!url) return failure(req.method, req.url, 'out_of_scope', 'not a valid URL');
    const why = this.options.scope.whyOutOfScope(url);
    if (why) return failure(req.method, req.url, 'out_of_scope', why);
    if (this.options.signal?.aborted) return failure(req.method, req.url, 'aborted', 'the scan was stopped');
    if (!this.budget.take()) {
      return failure(
        req.method,
        req.url,
        'budget_exhausted',
        `the budget of ${this.options.maxRequests} requests is spent`,
      );
    }
    const release = await this.slots.acquire();
    try {
      await this.rate.wait(this.options.signal);
      this.onRequest?.();
      return await this.exchange(url, req);
    } finally {
      release();
    }
  }

  private async exchange(url: URL, req: ScanRequest & { method: string }): Promise<ScanResult> {
    const headers: Record<string, string> = {
      'user-agent': this.options.userAgent ?? 'ensuresec-scan (security scanner)',
      accept: '*/*',
      ...this.options.headers,
      ...req.headers,
    };
    const cookie = req.jar?.header();
    if (cookie) headers['cookie'] = headers['cookie'] ? `${headers['cookie']}; ${cookie}` : cookie;
    const started = Date.now();
    const deadline = AbortSignal.timeout(this.options.timeoutMs);
    const signal = this.options.signal ? AbortSignal.any([deadline, this.options.signal]) : deadline;
    let response: Dispatcher.ResponseData | undefined;
    try {
      response = await request(url, {
        method: req.method as Dispatcher.HttpMethod,
        headers,
        body: req.body,
        dispatcher: this.agent,
        signal,
      });
      const { text, bytes, truncated } = await readCapped(response.body, this.options.maxResponseBytes);
      const flat = flattenHeaders(response.headers);
      const setCookies = toArray(response.headers['set-cookie']);
      req.jar?.store(setCookies);
      return {
        ok: true,
        method: req.method,
        url: url.href,
        requestHeaders: headers,
        ...(req.body === undefined ? {} : { requestBody: req.body }),
        status: response.statusCode,
        headers: flat,
        setCookies,
        body: text,
        bodyBytes: bytes,
        truncated,
        redirects: [],
        elapsedMs: Date.now() - started,
      };
    } catch (error) {
      response?.body.destroy();
      if (this.options.signal?.aborted)
        return failure(req.method, url.href, 'aborted', 'the scan was stopped');
      if (deadline.aborted || isTimeout(error)) {
        return failure(
          req.method,
          url.href,
          'timeout',
          `no complete answer within ${this.options.timeoutMs} ms`,
        );
      }
      return failure(req.method, url.href, 'network_error', errorText(error));
    }
  }
}

async function readCapped(
  body: Dispatcher.ResponseData['body'],
  maxBytes: number,
): Promise<{ text: string; bytes: number; truncated: boolean }> {
  const chunks: Buffer[] = [];
  let bytes = 0;
  let truncated = false;
  for await (const chunk of body as AsyncIterable<Buffer>) {
    const room = maxBytes - bytes;
    if (chunk.length >= room) {
      chunks.push(chunk.subarray(0, room));
      bytes += room;
      truncated = chunk.length > room;
      if (truncated) break;
      continue;
    }
    chunks.push(chunk);
    bytes += chunk.length;
  }
  // Leaving the loop early destroys the stream: an endless body stops here.
  if (truncated) body.destroy();
  return { text: Buffer.concat(chunks).toString('utf8'), bytes, truncated };
}

function flattenHeaders(headers: Dispatcher.ResponseData['headers']): Record<string, string> {
  const flat: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined) continue;
    flat[name.toLowerCase()] = Array.isArray(value) ? value.join(', ') : value;
  }
  return flat;
}

function toArray(value: string | string[] | undefined): string[] {
  if (value === undefined) return [];
  return Array.isArray(value) ? value : [value];
}

export function safeUrl(raw: string, base?: string): URL | null {
  try {
    return new URL(raw, base);
  } catch {
    return null;
  }
}

function failure(method: string, url: string, reason: FailureReason, detail: string): ScanFailure {
  return { ok: false, method, url, reason, detail };
}

function isTimeout(error: unknown): boolean {
  const code = (error as { code?: string } | null)?.code ?? '';
  const name = (error as { name?: string } | null)?.name ?? '';
  return /TIMEOUT/i.test(code) || name === 'TimeoutError' || name === 'AbortError';
}

function errorText(error: unknown): string {
  const code = (error as { code?: string } | null)?.code;
  const message = error instanceof Error ? error.message : String(error);
  return code ? `${code}: ${message}` : message;
}
