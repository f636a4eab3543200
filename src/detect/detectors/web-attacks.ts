/**
 * Web attacks (detect, built-in detector): one client sending injection payloads, seen two
 * ways. With the gateway's WAF on, the requests the WAF flagged or blocked, grouped by attack
 * class from the CRS rule ids (`web.attack.waf`). Without a WAF (access logs, a gateway with no
 * CRS), SQL injection and cross-site scripting found in the query string by the same
 * libinjection-style detectors the WAF's `@detectSQLi` / `@detectXSS` use (`web.attack.payload`).
 * A single hit is not enough (a customer may search for `O'Reilly`): `minHits` within the
 * window. ATT&CK T1190. docs/detectors.md explains the settings.
 *
 * @example
 *   const detector = createWebAttacksDetector({ minHits: 3 });
 *   const detections = detector.observe(httpEvent);
 */
import { z } from 'zod';
import type { SecurityEvent } from '../../core/records/index.js';
import { detectSqli } from '../../gateway/waf/libinjection/sqli/index.js';
import { detectXss } from '../../gateway/waf/libinjection/xss/index.js';
import type { Detection, Detector } from '../detector.js';
import { count, durationMs, maxKeys, parseDetectorConfig } from './kit/config.js';
import { Cooldown } from './kit/cooldown.js';
import { detection, histogram } from './kit/detection.js';
import { EventClock } from './kit/event-clock.js';
import { clientIpOf } from './kit/fields.js';
import { WindowTable } from './kit/window-table.js';

export const webAttacksConfigSchema = z
  .object({
    enabled: z.boolean().default(true),
    window: durationMs.prefault('10m'),
    cooldown: durationMs.prefault('30m'),
    /** Flagged requests from one client within the window that make an alert. */
    minHits: count.default(2),
    /** Look for SQL injection and XSS in query strings (for events no WAF judged). */
    payloads: z.boolean().default(true),
    /** Query parameters examined per request; the rest are skipped. */
    maxParameters: count.default(32),
    maxKeys: maxKeys.default(100_000),
    maxEventsPerKey: count.default(200),
  })
  .strict();

export type WebAttacksConfig = z.output<typeof webAttacksConfigSchema>;
export type WebAttacksConfigInput = z.input<typeof webAttacksConfigSchema>;

const RULE_WAF = 'web.attack.waf';
const RULE_PAYLOAD = 'web.attack.payload';

/** The attack class of a CRS rule id (REQUEST-9xx files), or undefined for bookkeeping rules. */
export function attackClassOf(ruleId: string): string | undefined {
  const id = Number(ruleId);
  if (!Number.isInteger(id)) return undefined;
  const family = Math.floor(id / 1000);
  switch (family) {
    case 911:
    case 920:
    case 921:
    case 922:
      return 'protocol';
    case 913:
      return 'scanner';
    case 930:
      return 'path-traversal';
    case 931:
      return 'remote-file-inclusion';
    case 932:
      return 'command-injection';
    case 933:
      return 'php-injection';
    case 934:
      return 'code-injection';
    case 941:
      return 'xss';
    case 942:
      return 'sql-injection';
    case 943:
      return 'session-fixation';
    case 944:
      return 'java-injection';
    default:
      // 900-910 setup, 949/959/980 anomaly-score summaries, 95x response rules: not a class.
      return id >= 100_000 && id < 900_000 ? 'custom-rule' : undefined;
  }
}

const SEVERE = new Set([
  'sql-injection',
  'xss',
  'command-injection',
  'remote-file-inclusion',
  'php-injection',
  'code-injection',
  'java-injection',
]);

const HEX = /^[0-9a-fA-F]{2}$/;

/** Percent-decodes to a byte string (each byte one char), as the WAF reads values; `+` is a space. */
export function decodeQueryValue(raw: string): string {
  let out = '';
  for (let i = 0; i < raw.length; i++) {
    const c = raw[i];
    if (c === '+') out += ' ';
    else if (c === '%' && HEX.test(raw.slice(i + 1, i + 3))) {
      out += String.fromCharCode(parseInt(raw.slice(i + 1, i + 3), 16));
      i += 2;
    } else out += c;
  }
  return out;
}

/** Bytes without which neither detector flags a value: values of plain words are skipped. */
const SUSPECT = /['"`<=();#*/\\-]/;

/** The classes of the injection payloads in the query string of `path` (`sql-injection`, `xss`). */
export function payloadClassesOf(path: string, maxParameters: number): string[] {
  const query = path.indexOf('?');
  if (query < 0) return [];
  const found = new Set<string>();
  const pairs = path.slice(query + 1).split('&', maxParameters);
  for (const pair of pairs) {
    const eq = pair.indexOf('=');
    const value = decodeQueryValue(eq < 0 ? pair : pair.slice(eq + 1));
    if (!SUSPECT.test(value)) continue;
    if (!found.has('sql-injection') && detectSqli(value).isInjection) found.add('sql-injection');
    if (!found.has('xss') && detectXss(value)) found.add('xss');
  }
  return [...found];
}

export function createWebAttacksDetector(
  input: WebAttacksConfigInput = {},
  where = 'detectors.web-attacks',
): Detector {
  const config = parseDetectorConfig(webAttacksConfigSchema, input, where);
  const tables = {
    [RULE_WAF]: new WindowTable({
      windowMs: config.window,
      maxKeys: config.maxKeys,
      maxEntriesPerKey: config.maxEventsPerKey,
    }),
    [RULE_PAYLOAD]: new WindowTable({
      windowMs: config.window,
      maxKeys: config.maxKeys,
      maxEntriesPerKey: config.maxEventsPerKey,
    }),
  };
  const cooldown = new Cooldown(config.cooldown, config.maxKeys);
  const clock = new EventClock();
  const windowSeconds = Math.round(config.window / 1000);

  function classify(event: SecurityEvent): {
    rule: typeof RULE_WAF | typeof RULE_PAYLOAD;
    classes: string[];
  } {
    const http = event.http;
    if (http === undefined) return { rule: RULE_PAYLOAD, classes: [] };
    const ruleIds = http.inspection?.ruleIds ?? [];
    if (ruleIds.length > 0 || http.outcome === 'blocked') {
      const classes = new Set<string>();
      for (const id of ruleIds) {
        const kind = attackClassOf(id);
        if (kind !== undefined) classes.add(kind);
      }
      const blocked = http.outcome === 'blocked';
      if (classes.size === 0 && blocked) classes.add('blocked');
      // What passed with protocol warnings only (a numeric Host, a missing Accept) is noise;
      // what passed with an injection rule matched (DetectionOnly, below the threshold) is not.
      const counts = blocked || [...classes].some((kind) => SEVERE.has(kind));
      return { rule: RULE_WAF, classes: counts ? [...classes] : [] };
    }
    // An event the WAF judged and passed is not second-guessed; the payload scan is for the rest.
    if (!config.payloads || http.inspection !== undefined) return { rule: RULE_PAYLOAD, classes: [] };
    return { rule: RULE_PAYLOAD, classes: payloadClassesOf(http.path, config.maxParameters) };
  }

  return {
    name: 'web-attacks',
    kinds: ['http'],
    observe(event: SecurityEvent): Detection[] {
      if (!config.enabled || event.kind !== 'http' || event.http === undefined) return [];
      const { rule, classes } = classify(event);
      if (classes.length === 0) return [];
      const ip = clientIpOf(event);
      const nowMs = clock.advance(event);
      if (ip === undefined || nowMs === undefined) return [];
      const table = tables[rule];
      table.sweep(nowMs);
      cooldown.sweep(nowMs);
      const blocked = event.http.outcome === 'blocked';
      const window = table.add(ip, {
        t: nowMs,
        id: event.id,
        failed: blocked,
        a: classes.join(','),
        b: undefined,
        amount: 0,
      });
      const entity = { type: 'ip', value: ip } as const;
      if (window.size < config.minHits || !cooldown.allow(rule, entity, nowMs)) return [];
      const seen = new Set([...window.live()].flatMap((entry) => (entry.a ?? '').split(',')));
      const severe = [...seen].some((kind) => SEVERE.has(kind));
      const kinds = [...seen].sort().join(', ');
      const byWaf = rule === RULE_WAF;
      return [
        detection({
          ruleId: rule,
          title: byWaf
            ? `Web attack stopped by the WAF (${kinds})`
            : `Injection payloads from one client (${kinds})`,
          description: byWaf
            ? `${window.size} requests from one client in ${windowSeconds} s matched WAF rules (${kinds}); ${window.failures} were blocked. The client is probing the shop for a flaw: ban it if it goes on.`
            : `${window.size} requests from one client in ${windowSeconds} s carried ${kinds} payloads in the query string, and no WAF judged them. Turn the WAF on (docs/waf.md) and check the targeted pages.`,
          severity: severe ? 'high' : 'medium',
          eventIds: window.eventIds(),
          entity,
          attack: ['T1190'],
          tags: ['web', 'attack', ...[...seen].sort()],
          timeMs: clock.absolute(nowMs),
          evidence: {
            requests: window.size,
            blocked: window.failures,
            classes: histogram([...window.live()].flatMap((entry) => (entry.a ?? '').split(','))),
            windowSeconds,
          },
        }),
      ];
    },
    stateSize: () => tables[RULE_WAF].size + tables[RULE_PAYLOAD].size,
  };
}
