/**
 * Data exfiltration through the shop's own API (detect, built-in detector): one client reads
 * many distinct customer records successfully in a short time — orders, customers, accounts,
 * addresses, invoices by id — which is how a broken object-level authorisation (IDOR) or a
 * stolen API session is emptied (`ecommerce.data-exfiltration.records`, high). Unlike the
 * scraping detector's sequential-id rule it counts only answers that returned a record (2xx),
 * in any order: the data has left. Reads `http` events (gateway, access logs).
 *
 * @example
 *   const detector = createDataExfiltrationDetector({ minRecords: 25, window: '5m' });
 *   const detections = detector.observe(httpEvent);
 */
import { z } from 'zod';
import type { SecurityEvent } from '../../core/records/index.js';
import type { Detection, Detector } from '../detector.js';
import { count, durationMs, maxKeys, parseDetectorConfig, regexSource } from './kit/config.js';
import { Cooldown } from './kit/cooldown.js';
import { detection } from './kit/detection.js';
import { EventClock } from './kit/event-clock.js';
import { clientIpOf } from './kit/fields.js';
import { WindowTable } from './kit/window-table.js';

const DEFAULT_RECORD_PATHS = [
  '^/api(/v\\d+)?/(orders|customers|accounts|users|addresses|invoices)/[^/]+$',
  '^/(orders|invoices|account/orders)/\\d+$',
];

export const dataExfiltrationConfigSchema = z
  .object({
    enabled: z.boolean().default(true),
    /** Regular expressions on the path (query removed) of routes that return one customer record. */
    recordPaths: z.array(regexSource).max(100).default(DEFAULT_RECORD_PATHS),
    /** Distinct records one client read successfully within the window. */
    minRecords: count.default(25),
    window: durationMs.prefault('5m'),
    cooldown: durationMs.prefault('30m'),
    maxKeys: maxKeys.default(100_000),
    maxEventsPerKey: count.default(1000),
  })
  .strict();

export type DataExfiltrationConfigInput = z.input<typeof dataExfiltrationConfigSchema>;

const RULE = 'ecommerce.data-exfiltration.records';

/** `/api/orders/1042` → `/api/orders/:id`: what kind of record was read. */
function routeOf(path: string): string {
  return path.replace(/\/[^/]+$/, '/:id');
}

export function createDataExfiltrationDetector(
  input: DataExfiltrationConfigInput = {},
  where = 'detectors.data-exfiltration',
): Detector {
  const config = parseDetectorConfig(dataExfiltrationConfigSchema, input, where);
  const patterns = config.recordPaths.map((source) => new RegExp(source, 'i'));
  const reads = new WindowTable({
    windowMs: config.window,
    maxKeys: config.maxKeys,
    maxEntriesPerKey: config.maxEventsPerKey,
  });
  const cooldown = new Cooldown(config.cooldown, config.maxKeys);
  const clock = new EventClock();

  function observeHttp(
    event: SecurityEvent,
    http: NonNullable<SecurityEvent['http']>,
    ip: string,
  ): Detection[] {
    const queryAt = http.path.indexOf('?');
    const path = queryAt < 0 ? http.path : http.path.slice(0, queryAt);
    if (http.method !== 'GET' || http.status < 200 || http.status > 299) return [];
    if (!patterns.some((pattern) => pattern.test(path))) return [];
    const nowMs = clock.advance(event);
    if (nowMs === undefined) return [];
    reads.sweep(nowMs);
    cooldown.sweep(nowMs);
    const window = reads.add(ip, {
      t: nowMs,
      id: event.id,
      failed: false,
      a: path,
      b: routeOf(path),
      amount: http.responseBytes,
    });
    if (window.distinctA < config.minRecords) return [];
    const entity = { type: 'ip' as const, value: ip };
    if (!cooldown.allow(RULE, entity, nowMs)) return [];
    const routes = [...new Set([...window.live()].map((entry) => entry.b))].filter(
      (route): route is string => route !== undefined,
    );
    return [
      detection({
        ruleId: RULE,
        title: 'Bulk download of customer records',
        description: `One client read ${window.distinctA} distinct customer records (${routes.join(', ')}) in ${Math.round(config.window / 1000)} s, each answered with the record: personal data has probably left the shop (broken object-level authorisation or a stolen session).`,
        severity: 'high',
        attack: ['T1213', 'T1119'],
        evidence: {
          records: window.distinctA,
          requests: window.size,
          bytes: window.sum(),
          routes: routes.join(', '),
        },
        eventIds: window.eventIds(),
        entity,
        tags: ['ecommerce', 'data-exfiltration'],
        timeMs: clock.absolute(nowMs),
      }),
    ];
  }

  return {
    name: 'data-exfiltration',
    kinds: ['http'],
    observe(event: SecurityEvent): Detection[] {
      const ip = clientIpOf(event);
      if (!config.enabled || ip === undefined || event.kind !== 'http' || event.http === undefined) return [];
      return observeHttp(event, event.http, ip);
    },
    stateSize: () => reads.size + cooldown.size,
  };
}
