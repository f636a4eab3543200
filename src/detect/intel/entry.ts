/**
 * One indicator from the fields of a CSV row or a list line (detect/intel): the type named
 * (with its common aliases) or detected from the value, the value normalised, confidence,
 * validity and tags checked. Returns a reason instead of throwing, so an importer can report
 * the line and go on.
 */
import { detectIndicatorType, normaliseIndicatorValue, refang } from './normalise.js';
import type { Indicator, IndicatorType } from './types.js';

/** What applies to every entry of a file unless the entry says otherwise. */
export interface ImportDefaults {
  /** Default: the file's name. */
  source: string;
  /** Default 50. */
  confidence: number;
  tags: string[];
}

export interface RawEntry {
  value: string;
  type?: string;
  source?: string;
  confidence?: string;
  validFrom?: string;
  validUntil?: string;
  tags?: string;
  description?: string;
}

const TYPE_ALIASES: Record<string, IndicatorType> = {
  ip: 'ip',
  ipv4: 'ip',
  ipv6: 'ip',
  'ipv4-addr': 'ip',
  'ipv6-addr': 'ip',
  address: 'ip',
  cidr: 'cidr',
  network: 'cidr',
  subnet: 'cidr',
  domain: 'domain',
  'domain-name': 'domain',
  hostname: 'domain',
  fqdn: 'domain',
  url: 'url',
  uri: 'url',
  hash: 'hash',
  md5: 'hash',
  sha1: 'hash',
  'sha-1': 'hash',
  sha256: 'hash',
  'sha-256': 'hash',
  'file-hash': 'hash',
  ja4: 'ja4',
};

/** STIX 2.1's confidence scale words (section 12.3, "High/Medium/Low"). */
const CONFIDENCE_WORDS: Record<string, number> = { none: 0, low: 15, medium: 50, med: 50, high: 85 };

const ISO_TIME = /^\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?)?$/i;

/** Milliseconds of an ISO 8601 date or date-time (UTC when no zone), or undefined. */
export function parseTimeMs(text: string): number | undefined {
  const trimmed = text.trim();
  const match = ISO_TIME.exec(trimmed);
  if (!match) return undefined;
  const withZone = trimmed.length > 10 && match[1] === undefined ? `${trimmed}Z` : trimmed;
  const ms = Date.parse(withZone.replace(' ', 'T'));
  return Number.isFinite(ms) ? ms : undefined;
}

export function parseConfidence(text: string): number | undefined {
  const trimmed = text.trim().toLowerCase();
  if (trimmed in CONFIDENCE_WORDS) return CONFIDENCE_WORDS[trimmed];
  if (!/^\d{1,3}$/.test(trimmed)) return undefined;
  const value = Number(trimmed);
  return value <= 100 ? value : undefined;
}

export function splitTags(text: string): string[] {
  return text
    .split(/[;|,]/)
    .map((tag) => tag.trim())
    .filter((tag) => tag.length > 0)
    .slice(0, 64);
}

function typeOf(raw: RawEntry, value: string): IndicatorType | { error: string } {
  const named = raw.type?.trim().toLowerCase();
  if (named) {
    const type = TYPE_ALIASES[named];
    if (type === undefined)
      return { error: `unknown indicator type "${raw.type}" (use ip, cidr, domain, url, hash or ja4)` };
    // Feeds list networks under "ip" all the time.
    return type === 'ip' && value.includes('/') ? 'cidr' : type;
  }
  return (
    detectIndicatorType(value) ?? {
      error: `cannot tell what ${JSON.stringify(value.slice(0, 200))} is (not an ip, cidr, domain, url, hash or ja4)`,
    }
  );
}

/** The indicator an entry describes, or the reason it is not one. */
export function indicatorFromEntry(raw: RawEntry, defaults: ImportDefaults): Indicator | { error: string } {
  const text = refang(raw.value.trim());
  if (text === '') return { error: 'the value is empty' };
  const type = typeOf(raw, text);
  if (typeof type !== 'string') return type;
  const normalised = normaliseIndicatorValue(type, text);
  if ('error' in normalised) return normalised;
  const namedAlgorithm = raw.type?.trim().toLowerCase().replace('-', '');
  if (
    normalised.algorithm &&
    namedAlgorithm &&
    namedAlgorithm !== 'hash' &&
    namedAlgorithm !== 'filehash' &&
    namedAlgorithm !== normalised.algorithm
  )
    return { error: `the value is a ${normalised.algorithm} digest, not ${raw.type}` };

  const indicator: Indicator = {
    type,
    value: normalised.value,
    source: raw.source?.trim() || defaults.source,
    confidence: defaults.confidence,
    tags: [...defaults.tags, ...(raw.tags ? splitTags(raw.tags) : [])],
  };
  if (normalised.algorithm) indicator.algorithm = normalised.algorithm;
  if (raw.confidence?.trim()) {
    const confidence = parseConfidence(raw.confidence);
    if (confidence === undefined)
      return { error: `confidence "${raw.confidence}" is not 0-100 or none/low/medium/high` };
    indicator.confidence = confidence;
  }
  for (const [field, key] of [
    ['valid_from', 'validFrom'],
    ['valid_until', 'validUntil'],
  ] as const) {
    const timeText = raw[key]?.trim();
    if (!timeText) continue;
    const ms = parseTimeMs(timeText);
    if (ms === undefined) return { error: `${field} "${timeText}" is not an ISO 8601 date or date-time` };
    indicator[key === 'validFrom' ? 'validFromMs' : 'validUntilMs'] = ms;
  }
  if (
    indicator.validFromMs !== undefined &&
    indicator.validUntilMs !== undefined &&
    indicator.validUntilMs <= indicator.validFromMs
  )
    return { error: 'valid_until is not after valid_from' };
  if (raw.description?.trim()) indicator.description = raw.description.trim().slice(0, 1024);
  return indicator;
}
