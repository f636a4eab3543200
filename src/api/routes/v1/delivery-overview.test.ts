/**
 * The Delivery page's read endpoints on the real server and a real SQLite store, fed with a
 * labelled detector case (a round with one parcel marked 2 km away) and the alert the
 * delivery-location detector raises on it.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { alertSchema, securityEventSchema } from '../../../core/records/index.js';
import { createDeliveryLocationDetector } from '../../../detect/detectors/delivery-location.js';
import { useHarness } from '../../testing/harness.js';

const CASE = new URL(
  '../../../detect/detectors/cases/delivery-location/urban-parcel-marked-2km-away/events.jsonl',
  import.meta.url,
);
const events = readFileSync(CASE, 'utf8')
  .split('\n')
  .filter(Boolean)
  .map((line) => securityEventSchema.parse(JSON.parse(line)));

const harness = useHarness();

async function seeded() {
  const h = await harness();
  h.clock.set(Date.parse(events.at(-1)?.time ?? '') + 60_000);
  await h.store.events.insertMany(events);
  const detector = createDeliveryLocationDetector();
  const [found] = events.flatMap((event) => detector.observe(event));
  if (!found) throw new Error('the case raises a detection');
  const alert = alertSchema.parse({
    id: 'alr_01JD3Q7Z9X8K2M4N6P8R0T2V9Z',
    time: found.time,
    ruleId: found.ruleId,
    title: found.title,
    description: found.description,
    severity: found.severity,
    detector: 'delivery-location',
    eventIds: found.eventIds,
    entity: found.entity,
    evidence: found.evidence,
  });
  await h.store.alerts.insert(alert);
  return { h, alert };
}

describe('GET /api/v1/delivery/overview', () => {
  it('shows each parcel at its latest place and the alert where it happened, without people', async () => {
    const { h, alert } = await seeded();
    const response = await h.call('GET', '/api/v1/delivery/overview?window=24h', { token: h.tokens.viewer });
    expect(response.statusCode).toBe(200);
    const body = response.json<{
      parcels: { parcelId: string; status: string; position?: unknown; destination?: { area?: string } }[];
      alerts: { id: string; parcelId?: string; position?: { lat: number; lon: number } }[];
      eventsRead: number;
    }>();
    expect(body.eventsRead).toBe(events.length);
    expect(body.parcels).toHaveLength(8);
    expect(
      body.parcels.every((p) => p.status === 'delivered' && p.position && p.destination?.area === 'urban'),
    ).toBe(true);
    const delivered = events.find((e) => e.id === alert.eventIds[0])?.delivery?.position;
    expect(body.alerts).toEqual([
      expect.objectContaining({
        id: alert.id,
        parcelId: 'u-1005',
        position: { lat: delivered?.lat, lon: delivered?.lon },
      }),
    ]);
    expect(response.body).not.toContain('drv_17');
  });

  it('answers 401 without a token and 403 to roles that only send events', async () => {
    const { h } = await seeded();
    expect((await h.call('GET', '/api/v1/delivery/overview')).statusCode).toBe(401);
    for (const role of ['carrier', 'source', 'partner'] as const)
      expect(
        (await h.call('GET', '/api/v1/delivery/overview', { token: h.tokens[role] })).statusCode,
        role,
      ).toBe(403);
  });

  it('refuses an unknown window with a validation error, not a 500', async () => {
    const { h } = await seeded();
    const response = await h.call('GET', '/api/v1/delivery/overview?window=1y', { token: h.tokens.viewer });
    expect(response.statusCode).toBe(400);
    expect(response.json<{ error: { code: string } }>().error.code).toMatch(
      /^(validation_failed|bad_request)$/,
    );
  });
});

describe('GET /api/v1/delivery/parcels/:parcelId', () => {
  it("lists one parcel's events oldest first with the proof flags", async () => {
    const { h } = await seeded();
    const response = await h.call('GET', '/api/v1/delivery/parcels/u-1005?window=7d', {
      token: h.tokens.analyst,
    });
    expect(response.statusCode).toBe(200);
    const body = response.json<{ events: { type: string; proof?: { photo: boolean } }[] }>();
    expect(body.events.map((e) => e.type)).toEqual(['carrier.out_for_delivery', 'carrier.delivered']);
    expect(body.events[1]?.proof?.photo).toBe(true);
  });
});
