/**
 * From SecurityEvent to Sigma (detect/sigma): which log sources we feed and where each Sigma
 * field's value comes from. Both are plain data tables that users extend (createFieldMap's
 * options); docs/sigma.md prints them. A Sigma field resolves, in order, through the table, then
 * as a dotted path into the SecurityEvent itself (`client.ip`, `business.attributes.coupon`), so
 * our own rules can name our fields directly. The pseudo-field `''` is what keyword searches
 * (detection lists without a field) look in: the raw line of a log event, or for an HTTP
 * exchange the line a web server would have logged for it (combined log format).
 *
 * @example
 * const map = createFieldMap({ fields: [{ field: 'x-forwarded-for', from: ['labels.xff'] }] });
 * map.resolve('cs-uri-query')?.(event) // 'id=1' for http.path '/item?id=1'
 */
import type { SecurityEvent } from '../../core/records/security-event.js';

export type FieldValue = string | number | boolean | null | undefined | readonly unknown[];
export type FieldAccessor = (event: SecurityEvent) => FieldValue;

/** How a mapped value is derived from the first present source path. */
export type FieldTransform = 'value' | 'uriStem' | 'uriQuery' | 'uriExtension' | 'accessLogLine';

export interface FieldMapping {
  /** The Sigma field name, as rules write it (compared case-sensitively, as Sigma does). */
  field: string;
  /** SecurityEvent paths tried in order; the first that is present gives the value. */
  from: string[];
  transform?: FieldTransform;
}

export interface EventFilter {
  /** The event must have every one of these sections. */
  sections?: Array<'http' | 'log' | 'business' | 'flow' | 'sensor' | 'delivery'>;
  kinds?: Array<SecurityEvent['kind']>;
  /** `log.format` or `source.type` must start with one of these (case-insensitive). */
  formats?: string[];
}

export interface LogSourceFeed {
  logsource: { category?: string; product?: string; service?: string };
  /** Which events carry this log source. */
  accepts: EventFilter;
  description: string;
}

export const KEYWORD_FIELD = '';

/** The SigmaHQ web and proxy fields (every field those rules use) and a few common extras. */
export const DEFAULT_FIELD_MAP: FieldMapping[] = [
  { field: 'cs-method', from: ['http.method'] },
  { field: 'cs-uri', from: ['http.path'] },
  { field: 'c-uri', from: ['http.path'] },
  { field: 'cs-uri-stem', from: ['http.path'], transform: 'uriStem' },
  { field: 'c-uri-stem', from: ['http.path'], transform: 'uriStem' },
  { field: 'cs-uri-query', from: ['http.path'], transform: 'uriQuery' },
  { field: 'c-uri-query', from: ['http.path'], transform: 'uriQuery' },
  { field: 'c-uri-extension', from: ['http.path'], transform: 'uriExtension' },
  { field: 'c-useragent', from: ['client.userAgent'] },
  { field: 'cs-user-agent', from: ['client.userAgent'] },
  { field: 'cs(User-Agent)', from: ['client.userAgent'] },
  { field: 'sc-status', from: ['http.status'] },
  { field: 'cs-host', from: ['http.host'] },
  { field: 'r-dns', from: ['http.host'] },
  { field: 'cs-referer', from: ['labels.referer'] },
  { field: 'cs-referrer', from: ['labels.referer'] },
  { field: 'cs-cookie', from: ['labels.cookie'] },
  { field: 'cs-content-type', from: ['labels.content-type'] },
  { field: 'cs-username', from: ['labels.user', 'business.accountId'] },
  { field: 'c-ip', from: ['client.ip'] },
  { field: 'src_ip', from: ['client.ip', 'flow.srcIp'] },
  { field: 'dst_ip', from: ['labels.dst_ip', 'flow.dstIp'] },
  { field: 'cs-bytes', from: ['http.requestBytes'] },
  { field: 'sc-bytes', from: ['http.responseBytes'] },
  { field: 'time-taken', from: ['http.latencyMs'] },
  { field: KEYWORD_FIELD, from: ['log.line'], transform: 'accessLogLine' },
];

export const DEFAULT_LOG_SOURCES: LogSourceFeed[] = [
  {
    logsource: { category: 'webserver' },
    accepts: { sections: ['http'] },
    description: 'every HTTP exchange: the gateway, access logs',
  },
  {
    logsource: { category: 'proxy' },
    accepts: { sections: ['http'] },
    description: 'every HTTP exchange (the gateway is a reverse proxy)',
  },
  {
    logsource: { service: 'apache' },
    accepts: { sections: ['log'], formats: ['apache'] },
    description: 'Apache log lines (log.format or source.type starting with "apache")',
  },
  {
    logsource: { service: 'nginx' },
    accepts: { sections: ['log'], formats: ['nginx'] },
    description: 'nginx log lines (log.format or source.type starting with "nginx")',
  },
  {
    logsource: { product: 'ensuresec', category: 'business' },
    accepts: { kinds: ['business'] },
    description: "the shop's business events (fields: business.*, client.*)",
  },
  {
    logsource: { product: 'ensuresec' },
    accepts: {},
    description: 'every SecurityEvent, fields by their SecurityEvent path',
  },
];

const EVENT_ROOTS = new Set([
  'id',
  'time',
  'kind',
  'source',
  'severity',
  'client',
  'http',
  'log',
  'business',
  'flow',
  'sensor',
  'delivery',
  'labels',
]);

/**
 * A dotted path into the event. A key that itself holds dots (`labels.content-type` is fine,
 * `business.attributes.card.bin` may be one key) is tried whole once the walk cannot go on.
 */
export function pathAccessor(path: string): FieldAccessor {
  const segments = path.split('.');
  if (segments.length === 2) {
    const [section, key] = segments as [string, string];
    return (event) => {
      const holder = (event as unknown as Record<string, Record<string, FieldValue> | undefined>)[section];
      // own properties only: a rule naming `labels.constructor` must not reach Object's prototype
      return holder === undefined || holder === null || !Object.hasOwn(holder, key) ? undefined : holder[key];
    };
  }
  return (event) => {
    let current: unknown = event;
    for (let i = 0; i < segments.length; i++) {
      if (current === null || typeof current !== 'object') return undefined;
      const holder = current as Record<string, unknown>;
      const key = segments[i]!;
      if (Object.hasOwn(holder, key)) current = holder[key];
      else {
        const rest = segments.slice(i).join('.');
        return Object.hasOwn(holder, rest) ? (holder[rest] as FieldValue) : undefined;
      }
    }
    return current as FieldValue;
  };
}

function uriStem(path: string): string {
  const q = path.indexOf('?');
  return q < 0 ? path : path.slice(0, q);
}

function uriQuery(path: string): string | undefined {
  const q = path.indexOf('?');
  return q < 0 || q === path.length - 1 ? undefined : path.slice(q + 1);
}

function uriExtension(path: string): string | undefined {
  const stem = uriStem(path);
  const dot = stem.lastIndexOf('.');
  return dot < 0 || dot < stem.lastIndexOf('/') || dot === stem.length - 1 ? undefined : stem.slice(dot + 1);
}

/** The combined-log-format line of an HTTP exchange, what a keyword search of a web log scans. */
function accessLogLine(event: SecurityEvent): string | undefined {
  const http = event.http;
  if (!http) return undefined;
  const user = event.labels['user'] ?? '-';
  const referer = event.labels['referer'] ?? '-';
  const agent = event.client?.userAgent ?? '-';
  return `${event.client?.ip ?? '-'} - ${user} "${http.method} ${http.path} HTTP/1.1" ${http.status} ${http.responseBytes} "${referer}" "${agent}"`;
}

function mappingAccessor(mapping: FieldMapping): FieldAccessor {
  const sources = mapping.from.map(pathAccessor);
  const first: FieldAccessor =
    sources.length === 1
      ? sources[0]!
      : (event) => {
          for (const source of sources) {
            const value = source(event);
            if (value !== undefined && value !== null) return value;
          }
          return undefined;
        };
  switch (mapping.transform ?? 'value') {
    case 'value':
      return first;
    case 'uriStem':
      return (event) => {
        const value = first(event);
        return typeof value === 'string' ? uriStem(value) : value;
      };
    case 'uriQuery':
      return (event) => {
        const value = first(event);
        return typeof value === 'string' ? uriQuery(value) : value;
      };
    case 'uriExtension':
      return (event) => {
        const value = first(event);
        return typeof value === 'string' ? uriExtension(value) : value;
      };
    case 'accessLogLine':
      return (event) => event.log?.line ?? accessLogLine(event);
  }
}

export interface FieldMap {
  /** The accessor of a Sigma field, or null when neither the table nor a SecurityEvent path knows it. */
  resolve(field: string): FieldAccessor | null;
  /** Fields with the same source share this key (c-useragent and cs-user-agent): one value, one scan. */
  sourceKey(field: string): string | null;
  readonly fields: readonly FieldMapping[];
  readonly logSources: readonly LogSourceFeed[];
}

export interface FieldMapOptions {
  /** Extra or overriding field mappings (a later entry for the same field wins). */
  fields?: FieldMapping[];
  /** Extra log sources we feed. */
  logSources?: LogSourceFeed[];
}

export function createFieldMap(options: FieldMapOptions = {}): FieldMap {
  const fields = [...DEFAULT_FIELD_MAP, ...(options.fields ?? [])];
  const byName = new Map<string, FieldMapping>();
  for (const mapping of fields) byName.set(mapping.field, mapping);
  return {
    fields: [...byName.values()],
    logSources: [...DEFAULT_LOG_SOURCES, ...(options.logSources ?? [])],
    resolve(field) {
      const mapping = byName.get(field);
      if (mapping) return mappingAccessor(mapping);
      const root = field.split('.')[0]!;
      return field.includes('.') && EVENT_ROOTS.has(root) ? pathAccessor(field) : null;
    },
    sourceKey(field) {
      const mapping = byName.get(field);
      if (mapping) return `${mapping.transform ?? 'value'}:${mapping.from.join(',')}`;
      return this.resolve(field) ? `value:${field}` : null;
    },
  };
}

/** True when the event carries the log source (see LogSourceFeed.accepts). */
export function feedAccepts(filter: EventFilter, event: SecurityEvent): boolean {
  if (filter.kinds && !filter.kinds.includes(event.kind)) return false;
  if (filter.sections) {
    for (const section of filter.sections) if (event[section] === undefined) return false;
  }
  if (filter.formats) {
    const format = (event.log?.format ?? '').toLowerCase();
    const sourceType = event.source.type.toLowerCase();
    if (!filter.formats.some((f) => format.startsWith(f) || sourceType.startsWith(f))) return false;
  }
  return true;
}
