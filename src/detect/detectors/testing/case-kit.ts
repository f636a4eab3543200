/**
 * Building blocks of the labelled detector cases (detect, tests): a deterministic source of
 * addresses, user agents and ids (seeded, so regenerating gives the same files byte for
 * byte), and builders for the SecurityEvents the gateway and the shop emit. The case
 * definitions (cases-*.ts) use them; generate-cases.ts writes the files.
 */
import { SeededRandom } from '../../../core/seeded-random.js';
import type { SecurityEvent } from '../../../core/records/index.js';
import type { DetectionEntity } from '../../detector.js';

export interface ExpectedDetection {
  ruleId: string;
  entity: DetectionEntity;
  count: number;
}

export interface LabelledCase {
  detector: string;
  name: string;
  description: string;
  /** Settings for the detector, when the case needs other than the defaults. */
  config?: Record<string, unknown>;
  events: SecurityEvent[];
  expected: ExpectedDetection[];
}

const CROCKFORD = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
export const BASE_MS = Date.parse('2026-11-26T09:00:00.000Z');
export const SECOND = 1000;
export const MINUTE = 60_000;
export const HOUR = 3_600_000;
export const DAY = 86_400_000;

export const BROWSERS = [
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36',
  'Mozilla/5.0 (Macintosh; Intel Mac OS X 14_5) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Safari/605.1.15',
  'Mozilla/5.0 (X11; Linux x86_64; rv:132.0) Gecko/20100101 Firefox/132.0',
  'Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1',
  'Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Mobile Safari/537.36',
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36 Edg/131.0.0.0',
] as const;
export const BROWSER_JA4 = [
  't13d1516h2_8daaf6152771_02713d6af862',
  't13d1715h2_5b57614c22b0_3d5424432f57',
  't13d1717h2_5b57614c22b0_f57a47d21d4e',
] as const;
export const TOOLS = {
  curl: 'curl/8.8.0',
  python: 'python-requests/2.32.3',
  nuclei: 'Mozilla/5.0 (compatible; Nuclei - Open-source project (github.com/projectdiscovery/nuclei))',
  headless:
    'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) HeadlessChrome/131.0.0.0 Safari/537.36',
} as const;
export const TOOL_JA4 = 't13d190900_9dc949149365_97f8aa674fd9';

export const FIRST_NAMES = [
  'anna',
  'ben',
  'chloe',
  'david',
  'emma',
  'felix',
  'giulia',
  'hugo',
  'ines',
  'jonas',
  'karin',
  'lucas',
  'marie',
  'noah',
  'olga',
  'pablo',
  'quentin',
  'rosa',
  'sven',
  'tessa',
  'ugo',
  'vera',
  'wout',
  'xenia',
  'yann',
  'zoe',
  'amir',
  'bram',
  'carla',
  'dries',
  'elise',
  'finn',
  'greta',
  'hanna',
  'ilias',
  'julia',
  'kobe',
  'lina',
  'milan',
  'nora',
];
export const LAST_NAMES = [
  'peeters',
  'janssens',
  'maes',
  'jacobs',
  'mertens',
  'willems',
  'claes',
  'goossens',
  'wouters',
  'dubois',
  'lambert',
  'martin',
  'simon',
  'laurent',
  'leroy',
  'moreau',
  'fontaine',
  'rossi',
  'novak',
  'schmidt',
];
export const MAIL_DOMAINS = ['gmail.com', 'outlook.com', 'proton.me', 'telenet.be', 'yahoo.fr', 'gmx.de'];

/** A seeded generator (mulberry32): the same seed gives the same case files. */
export class Rng extends SeededRandom {
  /** A public-looking IPv4 address outside the given /16s' reserved ranges. */
  ip(): string {
    return `${this.pick([31, 37, 46, 62, 77, 81, 84, 91, 94, 109, 141, 178, 188, 193, 212, 217])}.${this.int(0, 255)}.${this.int(0, 255)}.${this.int(1, 254)}`;
  }
  person(): { name: string; email: string } {
    const first = this.pick(FIRST_NAMES);
    const last = this.pick(LAST_NAMES);
    const style = this.int(0, 2);
    const local =
      style === 0
        ? `${first}.${last}`
        : style === 1
          ? `${first[0]}${last}`
          : `${first}_${last}${this.hex(2)}`;
    return { name: `${first} ${last}`, email: `${local}@${this.pick(MAIL_DOMAINS)}` };
  }
}

function base32(value: number, length: number): string {
  let out = '';
  let n = value;
  for (let i = 0; i < length; i++) {
    out = CROCKFORD[n % 32] + out;
    n = Math.floor(n / 32);
  }
  return out;
}

/** Builds the events of one case in time order, with ids that sort by time. */
export class CaseBuilder {
  readonly events: SecurityEvent[] = [];
  private counter = 0;
  private requestCounter = 0;

  constructor(
    readonly rng: Rng,
    readonly baseMs = BASE_MS,
  ) {}

  private envelope(
    atMs: number,
    kind: SecurityEvent['kind'],
  ): Pick<SecurityEvent, 'id' | 'time' | 'kind' | 'labels'> {
    const ms = this.baseMs + Math.round(atMs);
    this.counter++;
    return {
      id: `evt_${base32(ms, 10)}${base32(this.counter, 16)}`,
      time: new Date(ms).toISOString(),
      kind,
      labels: {},
    };
  }

  /** A gateway observation of one HTTP exchange. */
  http(
    atMs: number,
    client: { ip: string; userAgent?: string; ja4?: string },
    request: {
      method?: string;
      path: string;
      status?: number;
      responseBytes?: number;
      route?: string;
      /** What the gateway's WAF matched, and whether it blocked the request. */
      waf?: { ruleIds: string[]; blocked: boolean };
    },
  ): void {
    this.requestCounter++;
    const status = request.status ?? 200;
    this.events.push({
      ...this.envelope(atMs, 'http'),
      source: { type: 'gateway', name: 'gateway' },
      severity: 'info',
      client: { ...client },
      http: {
        requestId: `req-${String(this.requestCounter).padStart(6, '0')}`,
        method: request.method ?? 'GET',
        host: 'shop.example',
        path: request.path,
        protocol: 'HTTP/1.1',
        ...(request.route ? { route: request.route } : {}),
        status,
        requestBytes: request.method === 'POST' ? 180 + this.rng.int(0, 200) : 0,
        responseBytes: request.responseBytes ?? (status === 404 ? 612 : 2000 + this.rng.int(0, 18_000)),
        latencyMs: 2 + this.rng.int(0, 60),
        outcome: request.waf?.blocked ? 'blocked' : 'forwarded',
        ...(request.waf
          ? {
              inspection: {
                ruleIds: request.waf.ruleIds,
                ...(request.waf.blocked ? { blockedBy: '949110' } : {}),
              },
            }
          : {}),
      },
    });
  }

  /** A business event as the shop sends it (see src/demo/shop and the shop source). */
  business(
    atMs: number,
    ip: string,
    type: string,
    fields: {
      outcome?: 'success' | 'failure';
      accountId?: string;
      email?: string;
      postalAddress?: string;
      cardFingerprint?: string;
      amountMinor?: number;
      currency?: string;
      attributes?: Record<string, unknown>;
    } = {},
  ): void {
    const { attributes = {}, ...rest } = fields;
    const failed = rest.outcome === 'failure';
    this.events.push({
      ...this.envelope(atMs, 'business'),
      source: { type: 'shop', name: 'demo-shop' },
      severity: failed && ['login', 'payment', 'coupon'].includes(type) ? 'low' : 'info',
      client: { ip },
      business: { type, ...rest, attributes },
    });
  }

  /** A delivery-chain event (carrier, locker, vehicle, sensor, claim) as the delivery sources map it. */
  delivery(atMs: number, fields: NonNullable<SecurityEvent['delivery']>, source = 'carrier'): void {
    this.events.push({
      ...this.envelope(atMs, 'delivery'),
      source: { type: 'delivery', name: source },
      severity: 'info',
      delivery: fields,
    });
  }

  /**
   * A flow record (NetFlow/IPFIX exporter, Zeek, Suricata or the gateway) ending at atMs;
   * `durationMs` before it is its start.
   */
  flow(
    atMs: number,
    flow: {
      src: string;
      dst: string;
      srcPort?: number;
      dstPort: number;
      protocol?: string;
      bytes: number;
      packets: number;
      durationMs?: number;
      tcpFlags?: number;
      state?: string;
      exporter?: string;
    },
    source: { type: string; name: string } = { type: 'netflow', name: 'edge-router' },
  ): void {
    const endMs = this.baseMs + Math.round(atMs);
    const { src, dst, srcPort, durationMs = 0, ...rest } = flow;
    this.events.push({
      ...this.envelope(atMs, 'flow'),
      source,
      severity: 'info',
      flow: {
        ...rest,
        srcIp: src,
        dstIp: dst,
        srcPort: srcPort ?? this.rng.int(32768, 60999),
        protocol: flow.protocol ?? 'tcp',
        startMs: endMs - Math.round(durationMs),
        endMs,
      },
    });
  }

  /** The events sorted by time (builders may interleave actors). */
  sorted(): SecurityEvent[] {
    return [...this.events].sort((x, y) =>
      x.time < y.time ? -1 : x.time > y.time ? 1 : x.id < y.id ? -1 : 1,
    );
  }
}

export function makeCase(
  detector: string,
  name: string,
  description: string,
  seed: number,
  build: (b: CaseBuilder, rng: Rng) => void,
  expected: ExpectedDetection[],
  config?: Record<string, unknown>,
): LabelledCase {
  const rng = new Rng(seed);
  const builder = new CaseBuilder(rng);
  build(builder, rng);
  return { detector, name, description, events: builder.sorted(), expected, ...(config ? { config } : {}) };
}

export function ip(value: string): DetectionEntity {
  return { type: 'ip', value };
}
export function account(value: string): DetectionEntity {
  return { type: 'account', value };
}
