/**
 * A seeded generator of a shop's HTTP traffic for the anomaly tests and benchmark (test
 * support): benign visits from a fixture config (benign-shop.json), and anomalies injected on
 * top (anomalies.json). Same seed, same events: the tests replay exactly.
 */
import type { SecurityEvent } from '../../../core/records/security-event.js';
import { SeededRandom } from '../../../core/seeded-random.js';

export interface Browser {
  userAgent: string;
  ja4: string;
  weight: number;
}

export interface ShopConfig {
  seed: number;
  start: string;
  hours: number;
  visitsPerMinute: { base: number; amplitude: number; peakHourUtc: number };
  clientPool: number;
  natAddresses: string[];
  natShare: number;
  monitor: { ip: string; userAgent: string; everySeconds: number };
  browsers: Browser[];
  rollout: { fromHour: number; maxShare: number; userAgent: string; ja4: string };
  products: number;
  searchTerms: string[];
  thinkSeconds: { min: number; max: number };
  probabilities: Record<
    | 'search'
    | 'justBrowsing'
    | 'login'
    | 'loginFails'
    | 'coupon'
    | 'couponInvalid'
    | 'declined'
    | 'notFound'
    | 'serverError',
    number
  >;
  sizes: Record<'page' | 'asset' | 'form' | 'redirect', { median: number; sigma: number }>;
}

export interface Scenario {
  name: string;
  kind: 'scraper' | 'server-errors' | 'payload' | 'new-ja4';
  atHour: number;
  minutes?: number;
  ip?: string;
  ips?: number;
  userAgent?: string;
  ja4?: string;
  route?: string;
  errorShare?: number;
  requestBytes?: number;
  requestsPerMinute?: number;
  expect: { ruleId: string; entity: string; features: string[] };
}

/** The shared seeded generator (core/seeded-random.ts) as a function. */
export function seededRandom(seed: number): () => number {
  const random = new SeededRandom(seed);
  return () => random.next();
}

const CROCKFORD = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

export function eventId(n: number): string {
  let text = '';
  for (let i = 0, v = n; i < 26; i++, v = Math.floor(v / 32)) text = CROCKFORD[v % 32] + text;
  return `evt_${text}`;
}

interface Request {
  timeMs: number;
  ip: string;
  browser: Pick<Browser, 'userAgent' | 'ja4'>;
  method: string;
  path: string;
  status: number;
  requestBytes: number;
  responseBytes: number;
}

export class ShopTraffic {
  readonly requests: Request[] = [];
  private readonly random: () => number;
  readonly startMs: number;

  constructor(private readonly config: ShopConfig) {
    this.random = seededRandom(config.seed);
    this.startMs = Date.parse(config.start);
  }

  private normal(): number {
    return Math.sqrt(-2 * Math.log(1 - this.random())) * Math.cos(2 * Math.PI * this.random());
  }

  private size(kind: keyof ShopConfig['sizes']): number {
    const { median, sigma } = this.config.sizes[kind];
    return Math.round(median * Math.exp(sigma * this.normal()));
  }

  private poisson(mean: number): number {
    let k = 0;
    for (let p = Math.exp(-mean), s = p, u = this.random(); u > s; s += p) p *= mean / ++k;
    return k;
  }

  private pick<T>(list: readonly T[]): T {
    return list[Math.floor(this.random() * list.length)] as T;
  }

  private browserAt(hour: number): Pick<Browser, 'userAgent' | 'ja4'> {
    const { rollout, browsers } = this.config;
    const share =
      hour < rollout.fromHour
        ? 0
        : Math.min(rollout.maxShare, ((hour - rollout.fromHour) / 12) * rollout.maxShare);
    if (this.random() < share) return rollout;
    const total = browsers.reduce((sum, b) => sum + b.weight, 0);
    let roll = this.random() * total;
    for (const b of browsers) if ((roll -= b.weight) <= 0) return b;
    return browsers[0] as Browser;
  }

  private add(request: Request): void {
    this.requests.push(request);
  }

  /** A page and, the first time, its two assets. */
  private page(
    at: number,
    ip: string,
    browser: Request['browser'],
    path: string,
    firstPage: boolean,
  ): number {
    const p = this.config.probabilities;
    const roll = this.random();
    const status = roll < p.serverError ? 500 : roll < p.serverError + p.notFound ? 404 : 200;
    this.add({
      timeMs: at,
      ip,
      browser,
      method: 'GET',
      path,
      status,
      requestBytes: 0,
      responseBytes: status === 200 ? this.size('page') : 900,
    });
    if (firstPage)
      for (const asset of ['/static/app.css', '/static/app.js'])
        this.add({
          timeMs: at + 50,
          ip,
          browser,
          method: 'GET',
          path: asset,
          status: 200,
          requestBytes: 0,
          responseBytes: this.size('asset'),
        });
    return (
      at +
      1000 *
        (this.config.thinkSeconds.min +
          this.random() * (this.config.thinkSeconds.max - this.config.thinkSeconds.min))
    );
  }

  private form(at: number, ip: string, browser: Request['browser'], path: string, status: number): number {
    this.add({
      timeMs: at,
      ip,
      browser,
      method: 'POST',
      path,
      status,
      requestBytes: this.size('form'),
      responseBytes: status === 303 ? 0 : this.size('page'),
    });
    return at + 1000 * (this.config.thinkSeconds.min + this.random() * 5);
  }

  private visit(startMs: number, hour: number): void {
    const c = this.config;
    const p = c.probabilities;
    const ip =
      this.random() < c.natShare
        ? this.pick(c.natAddresses)
        : `10.${Math.floor(this.random() * c.clientPool) >> 8}.${Math.floor(this.random() * 256)}.${1 + Math.floor(this.random() * 250)}`;
    const browser = this.browserAt(hour);
    let t = this.page(startMs, ip, browser, '/', true);
    if (this.random() < p.search)
      t = this.page(
        t,
        ip,
        browser,
        `/search?q=${encodeURIComponent(this.pick(c.searchTerms)).replace(/%20/g, '+')}`,
        false,
      );
    const product = () => `/products/item-${1 + Math.floor(this.random() * c.products)}`;
    for (let i = 0, n = 1 + Math.floor(this.random() * 4); i < n; i++)
      t = this.page(t, ip, browser, product(), false);
    if (this.random() < p.justBrowsing) return;
    if (this.random() < p.login) {
      t = this.page(t, ip, browser, '/login', false);
      const fails = this.random() < p.loginFails;
      t = this.form(t, ip, browser, '/login', fails ? 401 : 303);
      if (fails) t = this.form(t, ip, browser, '/login', 303);
    }
    t = this.form(t, ip, browser, '/cart/add', 303);
    t = this.page(t, ip, browser, '/cart', false);
    if (this.random() < p.coupon)
      t = this.form(t, ip, browser, '/cart/coupon', this.random() < p.couponInvalid ? 422 : 200);
    t = this.page(t, ip, browser, '/checkout', false);
    const declined = this.random() < p.declined;
    t = this.form(t, ip, browser, '/checkout', declined ? 402 : 303);
    if (!declined) this.page(t, ip, browser, `/orders/${1000 + Math.floor(this.random() * 90000)}`, false);
  }

  /** The benign day: visits and the uptime monitor. */
  generateBenign(): this {
    const c = this.config;
    const minutes = c.hours * 60;
    for (let m = 0; m < minutes; m++) {
      const at = this.startMs + m * 60_000;
      const hour = new Date(at).getUTCHours() + new Date(at).getUTCMinutes() / 60;
      const { base, amplitude, peakHourUtc } = c.visitsPerMinute;
      const rate = base * (1 + amplitude * Math.cos((2 * Math.PI * (hour - peakHourUtc)) / 24));
      for (let v = this.poisson(rate); v > 0; v--) this.visit(at + this.random() * 60_000, hour);
    }
    for (let t = this.startMs; t < this.startMs + minutes * 60_000; t += c.monitor.everySeconds * 1000)
      this.add({
        timeMs: t,
        ip: c.monitor.ip,
        browser: { userAgent: c.monitor.userAgent, ja4: '' },
        method: 'GET',
        path: '/',
        status: 200,
        requestBytes: 0,
        responseBytes: this.size('page'),
      });
    return this;
  }

  /** Adds one anomaly scenario on top of the benign traffic. */
  inject(scenario: Scenario): this {
    const from = this.startMs + scenario.atHour * 3_600_000;
    const until = from + (scenario.minutes ?? 1) * 60_000;
    const browser = { userAgent: scenario.userAgent ?? '', ja4: scenario.ja4 ?? '' };
    const perMinute = scenario.requestsPerMinute ?? 0;
    switch (scenario.kind) {
      case 'scraper':
        for (let t = from; t < until; t += 60_000 / perMinute)
          this.add({
            timeMs: t,
            ip: scenario.ip ?? '',
            browser,
            method: 'GET',
            path: `/products/item-${1 + Math.floor(this.random() * this.config.products)}`,
            status: 200,
            requestBytes: 0,
            responseBytes: this.size('page'),
          });
        break;
      case 'new-ja4':
        for (let t = from, i = 0; t < until; t += 60_000 / perMinute, i++)
          this.add({
            timeMs: t,
            ip: `203.0.113.${100 + (i % (scenario.ips ?? 1))}`,
            browser,
            method: 'POST',
            path: '/login',
            status: 401,
            requestBytes: this.size('form'),
            responseBytes: this.size('page'),
          });
        break;
      case 'payload':
        this.add({
          timeMs: from,
          ip: scenario.ip ?? '',
          browser: this.browserAt(scenario.atHour),
          method: 'POST',
          path: '/login',
          status: 413,
          requestBytes: scenario.requestBytes ?? 0,
          responseBytes: 600,
        });
        break;
      case 'server-errors': {
        const [method, path] = (scenario.route ?? '').split(' ');
        for (const r of this.requests)
          if (
            r.method === method &&
            r.path === path &&
            r.timeMs >= from &&
            r.timeMs < until &&
            this.random() < (scenario.errorShare ?? 1)
          ) {
            r.status = 503;
            r.responseBytes = 350;
          }
        break;
      }
    }
    return this;
  }

  /** The requests as gateway SecurityEvents, in time order. */
  events(): SecurityEvent[] {
    const sorted = [...this.requests].sort((a, b) => a.timeMs - b.timeMs);
    return sorted.map((r, i) => {
      const client: NonNullable<SecurityEvent['client']> = { ip: r.ip, userAgent: r.browser.userAgent };
      if (r.browser.ja4) client.ja4 = r.browser.ja4;
      return {
        id: eventId(i),
        time: new Date(Math.floor(r.timeMs)).toISOString(),
        kind: 'http',
        source: { type: 'gateway', name: 'synthetic' },
        severity: 'info',
        client,
        http: {
          requestId: `req-${i}`,
          method: r.method,
          host: 'shop.example',
          path: r.path,
          status: r.status,
          requestBytes: r.requestBytes,
          responseBytes: r.responseBytes,
          latencyMs: 20,
          outcome: 'forwarded',
        },
        labels: {},
      } satisfies SecurityEvent;
    });
  }
}
