/**
 * The threat-intelligence detector (detect, `threat-intel`): looks up an event's client
 * address, flow addresses, HTTP host, URL and referer, JA4 fingerprint and file hashes (labels
 * `file.md5`, `file.sha1`, `file.sha256`, set by whatever scanned an upload) in the indicator
 * index, and raises one detection per (indicator, entity) per cool-down, with the indicator's
 * source and confidence; severity follows confidence on STIX's scale (>= 85 high, >= 50
 * medium, >= 15 low, else info). On flow events (NetFlow/IPFIX, Zeek, Suricata) both ends are
 * looked up: a connection to a listed address is blamed on the internal source (`direction`
 * `outbound`, T1071), one from a listed address on that address (`inbound`); the evidence
 * carries the port, protocol and bytes. `enrich` returns the matches alone, for labels.
 *
 * @example
 * const intel = createThreatIntelDetector({ index });
 * intel.enrich(event); // [{ indicator, field: 'client.ip', value: '198.51.100.7' }]
 * intel.observe(event); // [Detection] the first time, [] during the cool-down
 */
import type { Severity } from '../../core/records/common.js';
import type { SecurityEvent } from '../../core/records/security-event.js';
import type { Detection, DetectionEntity, Detector } from '../detector.js';
import { indicatorKey, type IndicatorIndex } from './matcher.js';
import { normaliseUrl, urlHost } from './normalise.js';
import type { Indicator, IntelField, IntelMatch } from './types.js';

export interface ThreatIntelOptions {
  index: IndicatorIndex;
  /** Quiet period per (indicator, entity) after a detection; default 10 minutes. */
  cooldownMs?: number;
  /** Bound on the cool-down table; default 100,000. */
  maxKeys?: number;
  /** Matches of indicators below this confidence enrich but raise nothing; default 0. */
  minConfidence?: number;
}

export interface ThreatIntelDetector extends Detector {
  /** The matches of one event (no cool-down, no state): for labels. */
  enrich(event: SecurityEvent): IntelMatch[];
}

const FILE_HASH_LABELS = ['file.md5', 'file.sha1', 'file.sha256'] as const;

export function severityForConfidence(confidence: number): Severity {
  return confidence >= 85 ? 'high' : confidence >= 50 ? 'medium' : confidence >= 15 ? 'low' : 'info';
}

function push(out: IntelMatch[], found: readonly Indicator[], field: IntelField, value: string): void {
  for (const indicator of found) out.push({ indicator, field, value });
}

/** `shop.example:443` -> `shop.example`; `[2001:db8::1]:8443` -> `2001:db8::1`. */
function hostOf(hostHeader: string): { name: string; port: string } {
  const bracket = hostHeader.startsWith('[') ? hostHeader.indexOf(']') : -1;
  const colon = bracket >= 0 ? hostHeader.indexOf(':', bracket) : hostHeader.lastIndexOf(':');
  const single = bracket < 0 && colon >= 0 && hostHeader.indexOf(':') !== colon; // a bare IPv6
  if (colon < 0 || single) return { name: urlHost(hostHeader), port: '' };
  return { name: urlHost(hostHeader.slice(0, colon)), port: hostHeader.slice(colon + 1) };
}

/** Every indicator an event matches, with the field it matched in. */
export function matchEvent(index: IndicatorIndex, event: SecurityEvent): IntelMatch[] {
  const out: IntelMatch[] = [];
  const timeMs = Date.parse(event.time);
  const ipIndexed = index.has('ip') || index.has('cidr');
  if (ipIndexed && event.client?.ip)
    push(out, index.matchIp(event.client.ip, timeMs), 'client.ip', event.client.ip);
  if (ipIndexed && event.flow) {
    if (event.flow.srcIp !== event.client?.ip)
      push(out, index.matchIp(event.flow.srcIp, timeMs), 'flow.srcIp', event.flow.srcIp);
    push(out, index.matchIp(event.flow.dstIp, timeMs), 'flow.dstIp', event.flow.dstIp);
  }
  if (event.client?.ja4 && index.has('ja4'))
    push(out, index.matchJa4(event.client.ja4, timeMs), 'client.ja4', event.client.ja4);
  const http = event.http;
  if (http) {
    const domains = index.has('domain');
    const urls = index.has('url');
    if (http.host && (domains || urls)) {
      const { name, port } = hostOf(http.host.toLowerCase());
      if (domains) push(out, index.matchDomain(name, timeMs), 'http.host', name);
      if (urls) {
        const authority = port === '' || port === '80' || port === '443' ? name : `${name}:${port}`;
        const full = `${authority}${http.path}`;
        push(out, index.matchUrl(full, timeMs), 'http.url', full);
        const query = full.indexOf('?');
        if (query >= 0) push(out, index.matchUrl(full.slice(0, query), timeMs), 'http.url', full);
      }
    }
    if (http.referer && (domains || urls)) {
      const referer = normaliseUrl(http.referer);
      if (referer !== undefined) {
        if (urls) push(out, index.matchUrl(referer, timeMs), 'http.referer', http.referer);
        const slash = referer.indexOf('/');
        const { name } = hostOf(slash < 0 ? referer : referer.slice(0, slash));
        if (domains) push(out, index.matchDomain(name, timeMs), 'http.referer', http.referer);
      }
    }
  }
  if (index.has('hash'))
    for (const label of FILE_HASH_LABELS) {
      const hash = event.labels[label];
      if (hash) push(out, index.matchHash(hash, timeMs), 'file.hash', hash);
    }
  return out;
}

/** Labels an event carries for its matches: `intel.match` = `type:value@source,...`, `intel.confidence` = the highest. */
export function intelLabels(matches: readonly IntelMatch[]): Record<string, string> {
  if (matches.length === 0) return {};
  const names = [
    ...new Set(matches.map((m) => `${m.indicator.type}:${m.indicator.value}@${m.indicator.source}`)),
  ];
  return {
    'intel.match': names.join(',').slice(0, 1024),
    'intel.confidence': String(Math.max(...matches.map((m) => m.indicator.confidence))),
  };
}

/** Who the detection is about: the client (or flow source) the event came from, or the JA4 it used. */
function entityOf(event: SecurityEvent, match: IntelMatch): DetectionEntity {
  if (match.field === 'client.ja4') return { type: 'ja4', value: match.value };
  if (match.field === 'client.ip' || match.field === 'flow.srcIp') return { type: 'ip', value: match.value };
  const client = event.client?.ip ?? event.flow?.srcIp;
  return client ? { type: 'ip', value: client } : { type: 'ip', value: match.value };
}

export function createThreatIntelDetector(options: ThreatIntelOptions): ThreatIntelDetector {
  const cooldownMs = options.cooldownMs ?? 600_000;
  const maxKeys = options.maxKeys ?? 100_000;
  const minConfidence = options.minConfidence ?? 0;
  // Insertion order is firing order, so the first key is always the one to forget first.
  const quietUntil = new Map<string, number>();

  function allow(key: string, nowMs: number): boolean {
    const until = quietUntil.get(key);
    if (until !== undefined && until > nowMs) return false;
    quietUntil.delete(key);
    quietUntil.set(key, nowMs + cooldownMs);
    for (const [stale, staleUntil] of quietUntil) {
      if (quietUntil.size <= maxKeys && staleUntil > nowMs) break;
      quietUntil.delete(stale);
    }
    return true;
  }

  return {
    name: 'threat-intel',
    enrich: (event) => matchEvent(options.index, event),
    stateSize: () => quietUntil.size,
    observe(event) {
      const matches = matchEvent(options.index, event);
      if (matches.length === 0) return [];
      const nowMs = Date.parse(event.time);
      const detections: Detection[] = [];
      for (const match of matches) {
        const { indicator } = match;
        if (indicator.confidence < minConfidence) continue;
        const entity = entityOf(event, match);
        if (!allow(`${indicatorKey(indicator)}|${entity.type}|${entity.value}`, nowMs)) continue;
        detections.push(toDetection(event, match, entity));
      }
      return detections;
    },
  };
}

function toDetection(event: SecurityEvent, match: IntelMatch, entity: DetectionEntity): Detection {
  const { indicator } = match;
  const evidence: Detection['evidence'] = {
    indicatorType: indicator.type,
    indicatorValue: indicator.value,
    source: indicator.source,
    confidence: indicator.confidence,
    field: match.field,
    matchedValue: match.value,
  };
  if (indicator.algorithm) evidence.hashAlgorithm = indicator.algorithm;
  if (indicator.validUntilMs !== undefined)
    evidence.validUntil = new Date(indicator.validUntilMs).toISOString();
  if (indicator.stixId) evidence.stixId = indicator.stixId;
  if (indicator.tags.length > 0) evidence.indicatorTags = indicator.tags.join(',');
  const flow = event.kind === 'flow' ? event.flow : undefined;
  // A flow to a listed address is an internal host calling out (command and control, T1071);
  // one from it is the listed address reaching in.
  const outbound = flow !== undefined && match.field === 'flow.dstIp';
  if (flow) {
    evidence.direction = outbound ? 'outbound' : 'inbound';
    evidence.dstPort = flow.dstPort;
    evidence.protocol = flow.protocol;
    evidence.bytes = flow.bytes;
  }
  return {
    ruleId: `intel.${indicator.type}`,
    title: `Threat intelligence match: ${indicator.type} ${indicator.value} (${indicator.source})`,
    description:
      `${match.field} ${match.value} matches the ${indicator.type} indicator ${indicator.value} from ${indicator.source}` +
      ` (confidence ${indicator.confidence})${indicator.description ? `: ${indicator.description}` : ''}.`,
    severity: severityForConfidence(indicator.confidence),
    eventIds: [event.id],
    entity,
    attack: outbound ? ['T1071'] : [],
    tags: ['threat-intel', ...(flow ? ['network'] : []), ...indicator.tags].slice(0, 64),
    time: event.time,
    evidence,
  };
}
