/**
 * The delivery-chain detectors under the load and faults: 100,000 active parcels keep
 * their state within its bound, and shuffled, duplicated and half-empty messages (what a
 * flaky broker and skewed devices deliver) never throw.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { securityEventSchema, type SecurityEvent } from '../../core/records/index.js';
import { createDetectors, DETECTOR_NAMES, type DetectorName } from './registry.js';
import { CASES_DIR } from './testing/generate-cases.js';

const DELIVERY: DetectorName[] = [
  'ato-redirect-chain',
  'cold-chain',
  'delivery-insider',
  'delivery-location',
  'inr-claims',
  'locker-security',
  'route-deviation',
];
/** Only the delivery detectors, with their settings. */
const only = (config: Record<string, unknown> = {}) =>
  createDetectors(
    Object.fromEntries(
      DETECTOR_NAMES.map((name) => [
        name,
        DELIVERY.includes(name) ? (config[name] ?? {}) : { enabled: false },
      ]),
    ),
  );

function caseEvents(): SecurityEvent[] {
  return DELIVERY.flatMap((detector) =>
    readdirSync(join(CASES_DIR, detector)).flatMap((name) =>
      readFileSync(join(CASES_DIR, detector, name, 'events.jsonl'), 'utf8')
        .split('\n')
        .filter(Boolean)
        .map((line) => securityEventSchema.parse(JSON.parse(line))),
    ),
  );
}

describe('delivery detectors', () => {
  it('keep their state bounded with 100,000 active parcels', () => {
    const maxKeys = 50_000;
    const detectors = only(Object.fromEntries(DELIVERY.map((name) => [name, { maxKeys }])));
    const start = Date.parse('2026-11-27T06:00:00Z');
    for (let i = 0; i < 100_000; i++) {
      const time = new Date(start + i * 10).toISOString();
      const base = {
        time,
        kind: 'delivery' as const,
        source: { type: 'mqtt', name: 'bench' },
        severity: 'info' as const,
        labels: {},
      };
      const parcelId = `p-${i}`;
      const events: SecurityEvent[] = [
        {
          ...base,
          id: `evt_01JD3Q7Z9X8K2M4N6P8R${String(i).padStart(6, '0')}`,
          delivery: {
            type: 'carrier.out_for_delivery',
            parcelId,
            destination: { lat: 50.8 + (i % 100) / 1000, lon: 4.3, area: 'urban' },
            attributes: { class: 'chilled' },
          },
        },
        {
          ...base,
          id: `evt_01JD3Q7Z9X8K2M4N6P8S${String(i).padStart(6, '0')}`,
          delivery: {
            type: 'sensor.temperature',
            parcelId,
            value: 4,
            unit: 'celsius',
            seq: 1,
            attributes: {},
          },
        },
      ];
      for (const event of events) for (const detector of detectors) detector.observe(event);
    }
    for (const detector of detectors)
      expect(detector.stateSize(), detector.name).toBeLessThanOrEqual(6 * maxKeys);
    const parcels = detectors.find((d) => d.name === 'delivery-location');
    expect(parcels?.stateSize()).toBe(maxKeys);
  }, 60_000);

  it('never throw on shuffled, duplicated and stripped messages', () => {
    const events = caseEvents();
    // A deterministic shuffle, every third event twice, every fifth stripped of its optional fields.
    const messy = events
      .map((event, i) => ({ event, key: (i * 7919) % events.length }))
      .sort((a, b) => a.key - b.key)
      .flatMap(({ event }, i) => (i % 3 === 0 ? [event, event] : [event]))
      .map((event, i) =>
        i % 5 === 0 && event.delivery
          ? {
              ...event,
              delivery: { type: event.delivery.type, attributes: { waypoints: 'not;a;route', class: 7 } },
            }
          : event,
      );
    const detectors = only();
    for (const event of messy)
      for (const detector of detectors) expect(() => detector.observe(event)).not.toThrow();
  });
});
