/**
 * Scraping and enumeration (detect, built-in detector): clients that copy the catalogue
 * (many distinct catalogue pages fast: `ecommerce.scraping.catalogue`), walk sequential ids
 * (`/orders/1041`, `/orders/1042`...: `ecommerce.scraping.sequential-ids`), probe for paths
 * that do not exist (a high 404 ratio: `ecommerce.scraping.not-found`), or test which e-mail
 * addresses have an account through the login, registration or password-reset answers
 * (`ecommerce.enumeration.accounts`). Reads `http` events (gateway, access logs) and the
 * shop's `login`, `registration` and `password_reset` events. docs/detectors.md explains the
 * settings.
 *
 * @example
 *   const detector = createScrapingDetector({ catalogue: { minDistinctPaths: 50 } });
 *   const detections = detector.observe(httpEvent);
 */
import { z } from 'zod';
import type { SecurityEvent } from '../../core/records/index.js';
import type { Detection, DetectionEntity, Detector } from '../detector.js';
import { BoundedMap, type Stamped } from './kit/bounded-map.js';
import { count, durationMs, fraction, maxKeys, parseDetectorConfig, regexSource } from './kit/config.js';
import { Cooldown } from './kit/cooldown.js';
import { detection, histogram, ratio } from './kit/detection.js';
import { EventClock } from './kit/event-clock.js';
import {
  attributeOf,
  businessOf,
  clientIpOf,
  ja4Of,
  normalisedEmail,
  stringAttribute,
  userAgentOf,
} from './kit/fields.js';
import { WindowTable } from './kit/window-table.js';

const DEFAULT_CATALOGUE_PATHS = [
  '^/products?(/|$)',
  '^/p/',
  '^/api(/v\\d+)?/products?(/|$)',
  '^/catalog(ue)?(/|$)',
  '^/categor(y|ies)(/|$)',
  '^/collections/',
  '^/items?/',
  '^/search',
  '^/shop/',
];

export const scrapingConfigSchema = z
  .object({
    enabled: z.boolean().default(true),
    /** What one client is: the address alone, or the address with its device (ja4 or user agent), kinder to office NATs. */
    clientKey: z.enum(['address', 'address-and-device']).default('address-and-device'),
    /** The window of the page rules (catalogue, not found). */
    window: durationMs.prefault('5m'),
    catalogue: z
      .object({
        /** Regular expressions on the path (query removed) that mark catalogue pages. */
        paths: z.array(regexSource).max(100).default(DEFAULT_CATALOGUE_PATHS),
        minDistinctPaths: count.default(30),
      })
      .strict()
      .prefault({}),
    sequentialIds: z
      .object({
        /** Consecutive ids (+1 or -1 each step) on one route that make a walk. */
        minRun: count.default(15),
        /** Longest pause between two steps of a walk. */
        maxGap: durationMs.prefault('1m'),
      })
      .strict()
      .prefault({}),
    notFound: z
      .object({
        minRequests: count.default(20),
        minDistinctPaths: count.default(15),
        minNotFoundRatio: fraction.default(0.5),
      })
      .strict()
      .prefault({}),
    accountEnumeration: z
      .object({
        window: durationMs.prefault('10m'),
        /** Distinct e-mail addresses probed by one address. */
        minDistinctEmails: count.default(10),
        /** Login failure reasons that reveal the account does not exist. */
        unknownAccountReasons: z
          .array(z.string().max(64))
          .default(['unknown_account', 'unknown_user', 'no_such_user']),
      })
      .strict()
      .prefault({}),
    cooldown: durationMs.prefault('30m'),
    maxKeys: maxKeys.default(100_000),
    maxEventsPerKey: count.default(1000),
  })
  .strict();

export type ScrapingConfig = z.output<typeof scrapingConfigSchema>;
export type ScrapingConfigInput = z.input<typeof scrapingConfigSchema>;

const RULE_CATALOGUE = 'ecommerce.scraping.catalogue';
const RULE_SEQUENTIAL = 'ecommerce.scraping.sequential-ids';
const RULE_NOT_FOUND = 'ecommerce.scraping.not-found';
const RULE_ENUMERATION = 'ecommerce.enumeration.accounts';
const MAX_WALK_IDS = 100;

interface Walk extends Stamped {
  route: string;
  lastId: number;
  step: number;
  run: number;
  firstId: number;
  ids: string[];
}

/** `/orders/1042/items` → route `/orders/:n/items`, id 1042 (the last numeric segment). */
function numericRoute(path: string): { route: string; id: number } | undefined {
  const match = /^(.*\/)(\d{1,15})(\/[^0-9]*)?$/.exec(path);
  if (!match) return undefined;
  return { route: `${match[1]}:n${match[3] ?? ''}`, id: Number(match[2]) };
}

/** A copy of the text that shares no storage with the string it was sliced from. */
function flatCopy(text: string): string {
  return Buffer.from(text, 'utf16le').toString('utf16le');
}

export function createScrapingDetector(
  input: ScrapingConfigInput = {},
  where = 'detectors.scraping',
): Detector {
  const config = parseDetectorConfig(scrapingConfigSchema, input, where);
  const cataloguePatterns = config.catalogue.paths.map((source) => new RegExp(source, 'i'));
  const bounds = { maxKeys: config.maxKeys, maxEntriesPerKey: config.maxEventsPerKey };
  // One window per client for both page rules: `a` is every path, `b` only catalogue paths.
  const requests = new WindowTable({ ...bounds, windowMs: config.window });
  // One table per kind of device identifier (deviceOf's `ja4:`, `device:`, `ua:`), so no key is built per event.
  const deviceIds = {
    ja4: new Map<string, number>(),
    device: new Map<string, number>(),
    ua: new Map<string, number>(),
  };
  let deviceCount = 0;
  const probes = new WindowTable({ ...bounds, windowMs: config.accountEnumeration.window });
  const walks = new BoundedMap<Walk>(config.maxKeys, config.sequentialIds.maxGap);
  const cooldown = new Cooldown(config.cooldown, config.maxKeys);
  const clock = new EventClock();
  const probeTypes = new Set(['login', 'registration', 'password_reset']);
  const unknownReasons = new Set(config.accountEnumeration.unknownAccountReasons);

  function fire(
    rule: string,
    ip: string,
    eventIds: string[],
    nowMs: number,
    fields: Pick<Detection, 'title' | 'description' | 'severity' | 'attack' | 'evidence'>,
  ): Detection[] {
    const entity: DetectionEntity = { type: 'ip', value: ip };
    if (!cooldown.allow(rule, entity, nowMs)) return [];
    return [
      detection({
        ruleId: rule,
        ...fields,
        eventIds,
        entity,
        tags: ['ecommerce', 'scraping'],
        timeMs: clock.absolute(nowMs),
      }),
    ];
  }

  function walk(client: string, ip: string, path: string, eventId: string, nowMs: number): Detection[] {
    const parsed = numericRoute(path);
    if (parsed === undefined) return [];
    const state = walks.upsert(client, nowMs, () => ({
      lastMs: nowMs,
      positionMs: nowMs,
      route: '',
      lastId: Number.NaN,
      step: 0,
      run: 0,
      firstId: 0,
      ids: [],
    }));
    const step = parsed.id - state.lastId;
    const continues =
      state.route === parsed.route && (step === 1 || step === -1) && (state.run < 2 || step === state.step);
    if (continues) {
      state.run++;
      state.step = step;
      if (state.ids.length < MAX_WALK_IDS) state.ids.push(eventId);
    } else if (!(state.route === parsed.route && step === 0)) {
      Object.assign(state, { route: parsed.route, run: 1, step: 0, firstId: parsed.id, ids: [eventId] });
    }
    state.lastId = parsed.id;
    if (state.run < config.sequentialIds.minRun) return [];
    return fire(RULE_SEQUENTIAL, ip, state.ids, nowMs, {
      title: `Sequential id enumeration of ${parsed.route}`,
      description: `${state.run} requests walked the ids of ${parsed.route} one by one (${state.firstId} to ${parsed.id}): an enumeration of records, possibly other customers' orders.`,
      severity: 'medium',
      attack: ['T1595'],
      evidence: { route: parsed.route, run: state.run, firstId: state.firstId, lastId: parsed.id },
    });
  }

  /*
   * The windows keep each request's path for minutes. A path read from a log line is a slice
   * that keeps the whole line alive; one shared copy per distinct path keeps only the path
   * (and makes its hash, computed once, serve every later lookup).
   */
  const paths = new Map<string, string>();
  function pathOf(target: string): string {
    const queryAt = target.indexOf('?');
    const path = queryAt < 0 ? target : target.slice(0, queryAt);
    let shared = paths.get(path);
    if (shared === undefined) {
      if (paths.size >= config.maxKeys) paths.clear();
      shared = flatCopy(path);
      paths.set(shared, shared);
    }
    return shared;
  }

  /** A short number per device, so client keys stay short (a user agent runs to ~120 characters). */
  function deviceIdOf(event: SecurityEvent): number {
    const ja4 = ja4Of(event);
    const deviceId = ja4 ? undefined : attributeOf(event, 'deviceId');
    const table = ja4 ? deviceIds.ja4 : deviceId ? deviceIds.device : deviceIds.ua;
    const device = ja4 || deviceId || userAgentOf(event) || '';
    let id = table.get(device);
    if (id === undefined) {
      // After a reset a number may name another device of the same address until its window expires.
      if (deviceCount >= config.maxKeys) {
        for (const kind of Object.values(deviceIds)) kind.clear();
        deviceCount = 0;
      }
      id = deviceCount++;
      table.set(device, id);
    }
    return id;
  }

  function http(
    event: SecurityEvent,
    http: NonNullable<SecurityEvent['http']>,
    ip: string,
    nowMs: number,
  ): Detection[] {
    const client = config.clientKey === 'address-and-device' ? `${ip}|${deviceIdOf(event)}` : ip;
    const path = pathOf(http.path);
    const notFound = http.status === 404 || http.status === 410;
    const isCatalogue =
      (http.method === 'GET' || http.method === 'HEAD') && cataloguePatterns.some((re) => re.test(path));
    const found: Detection[] = [];
    const all = requests.add(client, {
      t: nowMs,
      id: event.id,
      failed: notFound,
      a: path,
      b: isCatalogue ? path : undefined,
      amount: 0,
    });
    const nf = config.notFound;
    if (
      all.size >= nf.minRequests &&
      all.distinctA >= nf.minDistinctPaths &&
      all.failures / all.size >= nf.minNotFoundRatio
    ) {
      found.push(
        ...fire(
          RULE_NOT_FOUND,
          ip,
          all.eventIds(1000, (e) => e.failed),
          nowMs,
          {
            title: 'Path probing from one client',
            description: `${all.failures} of ${all.size} requests in ${Math.round(config.window / 1000)} s answered 404 over ${all.distinctA} distinct paths: a scanner guessing paths.`,
            severity: 'medium',
            attack: ['T1595.003'],
            evidence: {
              requests: all.size,
              notFound: all.failures,
              notFoundRatio: ratio(all.failures, all.size),
              distinctPaths: all.distinctA,
              userAgent: event.client?.userAgent ?? '',
            },
          },
        ),
      );
    }
    if (isCatalogue && all.distinctB >= config.catalogue.minDistinctPaths) {
      const pages = all.count((e) => e.b !== undefined);
      const spanMinutes = Math.max(1 / 60, (nowMs - (all.first()?.t ?? nowMs)) / 60_000);
      found.push(
        ...fire(
          RULE_CATALOGUE,
          ip,
          all.eventIds(1000, (e) => e.b !== undefined),
          nowMs,
          {
            title: 'Catalogue scraping from one client',
            description: `${all.distinctB} distinct catalogue pages (${pages} requests) in ${Math.round(spanMinutes * 60)} s from one client.`,
            severity: 'low',
            attack: [],
            evidence: {
              requests: all.size,
              cataloguePages: pages,
              distinctCataloguePaths: all.distinctB,
              perMinute: Math.round(all.size / spanMinutes),
              userAgent: event.client?.userAgent ?? '',
            },
          },
        ),
      );
    }
    found.push(...walk(client, ip, path, event.id, nowMs));
    return found;
  }

  function probe(event: SecurityEvent, ip: string, nowMs: number): Detection[] {
    const business = businessOf(event, probeTypes);
    const email = business && normalisedEmail(business);
    if (business === undefined || email === undefined) return [];
    const reason = stringAttribute(business, 'reason');
    const isProbe =
      business.type === 'password_reset' ||
      (business.type === 'login' &&
        business.outcome === 'failure' &&
        reason !== undefined &&
        unknownReasons.has(reason)) ||
      (business.type === 'registration' && reason === 'email_taken');
    if (!isProbe) return [];
    const window = probes.add(ip, {
      t: nowMs,
      id: event.id,
      failed: false,
      a: email,
      b: `${business.type}:${reason ?? business.outcome ?? ''}`,
      amount: 0,
    });
    if (window.distinctA < config.accountEnumeration.minDistinctEmails) return [];
    return fire(RULE_ENUMERATION, ip, window.eventIds(), nowMs, {
      title: 'Account enumeration from one address',
      description: `${window.distinctA} distinct e-mail addresses probed through login, registration or password-reset answers in ${Math.round(config.accountEnumeration.window / 1000)} s. Make those answers identical whether or not the account exists.`,
      severity: 'medium',
      attack: ['T1589.002'],
      evidence: {
        distinctEmails: window.distinctA,
        probes: window.size,
        via: histogram([...window.live()].map((e) => e.b)),
      },
    });
  }

  return {
    name: 'scraping',
    kinds: ['http', 'business'],
    observe(event: SecurityEvent): Detection[] {
      const ip = clientIpOf(event);
      if (!config.enabled || ip === undefined || (event.kind !== 'http' && event.kind !== 'business'))
        return [];
      if (event.kind === 'http' && event.http === undefined) return [];
      if (event.kind === 'business' && (event.business === undefined || !probeTypes.has(event.business.type)))
        return [];
      const nowMs = clock.advance(event);
      if (nowMs === undefined) return [];
      requests.sweep(nowMs);
      probes.sweep(nowMs);
      walks.sweep(nowMs);
      cooldown.sweep(nowMs);
      return event.http !== undefined && event.kind === 'http'
        ? http(event, event.http, ip, nowMs)
        : probe(event, ip, nowMs);
    },
    stateSize: () => deviceCount + paths.size + requests.size + probes.size + walks.size + cooldown.size,
  };
}
