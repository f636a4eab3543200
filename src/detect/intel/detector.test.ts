import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import type { SecurityEvent } from '../../core/records/security-event.js';
import { securityEventSchema } from '../../core/records/security-event.js';
import {
  createThreatIntelDetector,
  importIndicatorFile,
  IndicatorIndex,
  intelLabels,
  matchEvent,
  severityForConfidence,
  type Indicator,
} from './index.js';

const fixture = (name: string) => new URL(`./fixtures/${name}`, import.meta.url).pathname;

interface MatchingCase {
  name: string;
  time: string;
  kind?: SecurityEvent['kind'];
  event: Partial<{
    client: { ip: string; ja4?: string };
    http: { host?: string; path: string; referer?: string };
    flow: SecurityEvent['flow'];
    labels: Record<string, string>;
  }>;
  expect: string[];
}

let sequence = 0;
function eventOf(c: Pick<MatchingCase, 'time' | 'kind' | 'event'>): SecurityEvent {
  const { http, ...rest } = c.event;
  return securityEventSchema.parse({
    id: `evt_01JD3Q7Z9X8K2M4N6P8R0T${String(sequence++).padStart(4, '0')}`,
    time: c.time,
    kind: c.kind ?? 'http',
    source: { type: 'test', name: 'intel' },
    ...rest,
    ...(http
      ? {
          http: {
            requestId: 'r1',
            method: 'GET',
            status: 200,
            requestBytes: 0,
            responseBytes: 100,
            latencyMs: 1,
            outcome: 'forwarded',
            ...http,
          },
        }
      : {}),
  });
}

let index: IndicatorIndex;
beforeAll(async () => {
  index = new IndicatorIndex();
  for (const file of ['feed.csv', 'blocklist.txt', 'bundle-valid.json']) {
    const result = await importIndicatorFile(fixture(file));
    index.addAll(result.indicators);
  }
});

const table = JSON.parse(readFileSync(fixture('matching-cases.json'), 'utf8')) as { cases: MatchingCase[] };

describe('matching events against the indicators', () => {
  it.each(table.cases.map((c) => [c.name, c] as const))('%s', (_name, c) => {
    const found = matchEvent(index, eventOf(c)).map(
      (m) => `${m.indicator.type}:${m.indicator.value}@${m.indicator.source}|${m.field}`,
    );
    expect(found.sort()).toEqual([...c.expect].sort());
  });

  it('replaces an indicator re-imported from the same source, keeps one from another source', () => {
    const local = new IndicatorIndex();
    const base: Indicator = { type: 'cidr', value: '10.0.0.0/8', source: 'a', confidence: 10, tags: [] };
    local.add(base);
    local.add({ ...base, confidence: 70 });
    local.add({ ...base, source: 'b', confidence: 30 });
    expect(local.size).toBe(2);
    expect(
      local
        .matchIp('10.1.2.3', 0)
        .map((i) => `${i.source}:${i.confidence}`)
        .sort(),
    ).toEqual(['a:70', 'b:30']);
  });

  it('prunes expired indicators by event time', () => {
    const local = new IndicatorIndex([
      { type: 'ip', value: '192.0.2.1', source: 'a', confidence: 50, tags: [], validUntilMs: 1000 },
      { type: 'cidr', value: '192.0.2.0/24', source: 'a', confidence: 50, tags: [], validUntilMs: 5000 },
    ]);
    expect(local.prune(2000)).toBe(1);
    expect(local.matchIp('192.0.2.1', 1500).map((i) => i.type)).toEqual(['cidr']);
  });
});

describe('the threat-intel detector', () => {
  const scanner = (time: string, path = '/') =>
    eventOf({ time, event: { client: { ip: '203.0.113.9' }, http: { host: 'shop.example', path } } });

  it('raises one detection per indicator and entity per cool-down, with source and confidence', () => {
    const detector = createThreatIntelDetector({ index, cooldownMs: 60_000 });
    const first = detector.observe(scanner('2026-03-01T10:00:00Z'));
    expect(first).toEqual([
      expect.objectContaining({
        ruleId: 'intel.cidr',
        severity: 'medium',
        entity: { type: 'ip', value: '203.0.113.9' },
        tags: ['threat-intel', 'scanner'],
        time: '2026-03-01T10:00:00Z',
        evidence: expect.objectContaining({
          source: 'abuse-feed',
          confidence: 70,
          indicatorValue: '203.0.113.0/24',
          field: 'client.ip',
        }),
      }),
    ]);
    expect(detector.observe(scanner('2026-03-01T10:00:30Z', '/cart'))).toEqual([]);
    expect(detector.observe(scanner('2026-03-01T10:01:00Z'))).toHaveLength(1);
    expect(detector.stateSize()).toBe(1);
  });

  it('names the client as the entity when a domain or JA4 matched', () => {
    const detector = createThreatIntelDetector({ index });
    const event = eventOf({
      time: '2026-03-01T10:00:00Z',
      event: {
        client: { ip: '192.0.2.200', ja4: 't13d1516h2_8daaf6152771_b186095e22b6' },
        http: { host: 'x.evil.example', path: '/' },
      },
    });
    const detections = detector.observe(event);
    expect(detections.map((d) => [d.ruleId, d.entity.type, d.entity.value, d.severity])).toEqual([
      ['intel.ja4', 'ja4', 't13d1516h2_8daaf6152771_b186095e22b6', 'high'],
      ['intel.domain', 'ip', '192.0.2.200', 'high'],
    ]);
    expect(detections[0]?.eventIds).toEqual([event.id]);
  });

  it('enriches without state and turns matches into labels', () => {
    const detector = createThreatIntelDetector({ index, minConfidence: 95 });
    const event = scanner('2026-03-01T10:00:00Z');
    expect(intelLabels(detector.enrich(event))).toEqual({
      'intel.match': 'cidr:203.0.113.0/24@abuse-feed',
      'intel.confidence': '70',
    });
    expect(detector.observe(event)).toEqual([]); // below minConfidence
    expect(detector.stateSize()).toBe(0);
  });

  it('keeps its cool-down table within maxKeys', () => {
    const detector = createThreatIntelDetector({ index, maxKeys: 10 });
    for (let i = 0; i < 50; i++)
      detector.observe(
        eventOf({ time: '2026-03-01T10:00:00Z', event: { client: { ip: `203.0.113.${i}` } } }),
      );
    expect(detector.stateSize()).toBe(10);
  });

  it.each([
    [100, 'high'],
    [85, 'high'],
    [84, 'medium'],
    [50, 'medium'],
    [15, 'low'],
    [14, 'info'],
  ] as const)('maps confidence %i to severity %s', (confidence, severity) => {
    expect(severityForConfidence(confidence)).toBe(severity);
  });
});
