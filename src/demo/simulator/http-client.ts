/**
 * A browser-like HTTP client for the demo shop (undici): one cookie jar, one user agent,
 * no automatic redirects, bodies read as text. The traffic simulator runs every shopper
 * and attacker through it, and the demo tests use it too. Loopback targets only.
 */
import { request, type Dispatcher } from 'undici';
import { assertLoopbackUrl } from '../loopback.js';

export interface ShopResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
  /** The Location header of a redirect, if any. */
  location: string | null;
}

export interface ShopClientOptions {
  userAgent?: string;
  timeoutMs?: number;
  signal?: AbortSignal;
  dispatcher?: Dispatcher;
  /** Awaited before every request: rate limits and budgets hook in here (throw to stop). */
  beforeRequest?: () => Promise<void>;
  /** Called after every response (stats). */
  afterResponse?: (status: number) => void;
}

const MAX_BODY_CHARS = 2_000_000;

export class ShopClient {
  readonly baseUrl: string;
  readonly cookies = new Map<string, string>();

  constructor(
    baseUrl: string,
    private readonly options: ShopClientOptions = {},
  ) {
    this.baseUrl = assertLoopbackUrl(baseUrl, 'demo shop client').origin;
  }

  get(path: string, headers: Record<string, string> = {}): Promise<ShopResponse> {
    return this.send('GET', path, undefined, headers);
  }

  postForm(path: string, fields: Record<string, string | number>): Promise<ShopResponse> {
    const body = new URLSearchParams(
      Object.entries(fields).map(([k, v]): [string, string] => [k, String(v)]),
    ).toString();
    return this.send('POST', path, body, { 'content-type': 'application/x-www-form-urlencoded' });
  }

  postJson(path: string, payload: unknown): Promise<ShopResponse> {
    return this.send('POST', path, JSON.stringify(payload), { 'content-type': 'application/json' });
  }

  /** GETs a page and returns the `_csrf` token of its first form ('' when there is none). */
  async csrfToken(path: string): Promise<string> {
    return csrfTokenIn((await this.get(path)).body);
  }

  async send(
    method: Dispatcher.HttpMethod,
    path: string,
    body?: string,
    headers: Record<string, string> = {},
  ): Promise<ShopResponse> {
    await this.options.beforeRequest?.();
    const timeoutMs = this.options.timeoutMs ?? 10_000;
    const res = await request(new URL(path, this.baseUrl), {
      method,
      body,
      headers: {
        'user-agent': this.options.userAgent ?? 'EnsuresecDemoClient/1.0',
        accept: 'text/html,application/json;q=0.9,*/*;q=0.8',
        ...(this.cookies.size ? { cookie: [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ') } : {}),
        ...headers,
      },
      headersTimeout: timeoutMs,
      bodyTimeout: timeoutMs,
      signal: this.options.signal,
      dispatcher: this.options.dispatcher,
    });
    this.storeCookies(res.headers['set-cookie']);
    const text = (await res.body.text()).slice(0, MAX_BODY_CHARS);
    this.options.afterResponse?.(res.statusCode);
    const location = res.headers.location;
    return {
      status: res.statusCode,
      headers: res.headers,
      body: text,
      location: typeof location === 'string' ? location : null,
    };
  }

  private storeCookies(setCookie: string | string[] | undefined): void {
    for (const line of typeof setCookie === 'string' ? [setCookie] : (setCookie ?? [])) {
      const pair = line.split(';')[0] ?? '';
      const eq = pair.indexOf('=');
      if (eq <= 0) continue;
      const name = pair.slice(0, eq).trim();
      const value = pair.slice(eq + 1).trim();
      if (value === '' || /max-age=0/i.test(line)) this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
  }
}

export function csrfTokenIn(html: string): string {
  return /name="_csrf" value="([^"]*)"/.exec(html)?.[1] ?? '';
}
