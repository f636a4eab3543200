import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { EnsuresecError } from '../../core/errors.js';
import type { Detection } from '../detector.js';
import { createAnomalyDetector, type AnomalyConfigInput } from './index.js';
import { ShopTraffic, type Scenario, type ShopConfig } from './testing/synthetic-shop.js';

const fixture = (name: string) =>
  JSON.parse(readFileSync(new URL(`./fixtures/${name}`, import.meta.url), 'utf8')) as unknown;
const shop = fixture('benign-shop.json') as ShopConfig;
const { scenarios } = fixture('anomalies.json') as { scenarios: Scenario[] };
const HOUR_MS = 3_600_000;

function run(traffic: ShopTraffic, config: AnomalyConfigInput = {}) {
  const detector = createAnomalyDetector(config);
  const detections: Detection[] = [];
  const events = traffic.events();
  for (const event of events) detections.push(...detector.observe(event));
  return { detector, detections, events: events.length };
}

const entityText = (d: Detection) => `${d.entity.type}:${d.entity.value}`;

describe('anomaly detection on a benign shop day', () => {
  it('stays quiet over 30 simulated hours of benign traffic after learning', () => {
    const { detections, events } = run(new ShopTraffic(shop).generateBenign());
    expect(events).toBeGreaterThan(50_000);
    expect(detections.map((d) => `${d.time} ${d.ruleId} ${entityText(d)} ${d.evidence.features}`)).toEqual(
      [],
    );
  });

  it('stays quiet on the same day with four times the traffic and another seed', () => {
    const busy = {
      ...shop,
      seed: 7,
      hours: 12,
      visitsPerMinute: { ...shop.visitsPerMinute, base: shop.visitsPerMinute.base * 4 },
    };
    const { detections } = run(new ShopTraffic(busy).generateBenign());
    expect(detections.map((d) => `${d.time} ${d.ruleId} ${entityText(d)} ${d.evidence.features}`)).toEqual(
      [],
    );
  });

  it('only learns during the learning period, whatever it sees', () => {
    const early = { ...(scenarios[0] as Scenario), atHour: 1 };
    const { detections } = run(new ShopTraffic(shop).generateBenign().inject(early));
    expect(detections).toEqual([]);
  });
});

describe('anomalies injected into the benign day', () => {
  it.each(scenarios.map((s) => [s.name, s] as const))('%s', (_name, scenario) => {
    const { detections } = run(new ShopTraffic(shop).generateBenign().inject(scenario));
    const expected = detections.find(
      (d) => d.ruleId === scenario.expect.ruleId && entityText(d) === scenario.expect.entity,
    );
    expect(
      expected,
      JSON.stringify(detections.map((d) => [d.ruleId, entityText(d), d.evidence.features])),
    ).toBeDefined();
    const named = String(expected?.evidence.features).split(',');
    expect(named).toEqual(expect.arrayContaining(scenario.expect.features));
    // The strongest feature cleared every bar; the others that joined it are clearly unusual too.
    const [strongest] = named;
    expect(expected?.evidence[`${strongest}.z`]).toBeGreaterThanOrEqual(6);
    expect(expected?.evidence[`${strongest}.ratio`]).toBeGreaterThanOrEqual(3);
    for (const feature of scenario.expect.features) {
      expect(expected?.evidence[`${feature}.z`]).toBeGreaterThanOrEqual(3);
      expect(expected?.evidence[`${feature}.ratio`]).toBeGreaterThan(1);
    }
    // Everything raised is about the injected traffic: in its time span, on its client, route or fingerprint.
    const fromMs = Date.parse(shop.start) + scenario.atHour * HOUR_MS;
    const untilMs = fromMs + ((scenario.minutes ?? 1) + 1) * 60_000;
    for (const d of detections) {
      expect(Date.parse(d.time)).toBeGreaterThanOrEqual(fromMs);
      expect(Date.parse(d.time)).toBeLessThan(untilMs);
      expect(d.evidence.windowStart).toBeDefined();
    }
  });

  it('names the scraper as the entity of the route surge it causes', () => {
    const scraper = scenarios.find((s) => s.kind === 'scraper') as Scenario;
    const { detections } = run(new ShopTraffic(shop).generateBenign().inject(scraper));
    const surge = detections.find((d) => d.ruleId === 'anomaly.route');
    expect(surge).toMatchObject({
      entity: { type: 'ip', value: scraper.ip },
      evidence: { route: 'GET /products', features: 'rate' },
    });
    expect(detections.filter((d) => d.ruleId === 'anomaly.client')).toHaveLength(1); // one per cool-down
  });
});

describe('anomaly detector state and settings', () => {
  it('keeps at most maxClients clients, evicting the least recently seen', () => {
    const { detector } = run(new ShopTraffic({ ...shop, hours: 3 }).generateBenign(), {
      maxClients: 100,
      maxRoutes: 5,
    });
    expect(detector.stateSize()).toBeLessThanOrEqual(105);
    expect(detector.evictions().clients).toBeGreaterThan(100);
    expect(detector.evictions().routes).toBeGreaterThan(0);
  });

  it('refuses settings out of range with config_invalid naming the key', () => {
    expect(() => createAnomalyDetector({ minClusterShare: 2 })).toThrow(EnsuresecError);
    expect(() => createAnomalyDetector({ windowMs: 10 })).toThrow(/anomaly\.windowMs/);
    expect(() => createAnomalyDetector({ nonsense: 1 } as unknown as AnomalyConfigInput)).toThrow(
      /config is invalid|unrecognized/i,
    );
  });

  it('ignores events without an HTTP section', () => {
    const detector = createAnomalyDetector({ learningMs: 0 });
    const event = new ShopTraffic(shop).generateBenign().events()[0]!;
    const { http: _http, ...withoutHttp } = event;
    expect(detector.observe(withoutHttp)).toEqual([]);
    expect(detector.stateSize()).toBe(0);
  });
});
