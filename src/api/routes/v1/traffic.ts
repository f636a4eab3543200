/**
 * Traffic (api/v1): requests and blocked requests over time for the dashboard's chart, counted
 * in the store from the HTTP events the gateways sent (one indexed aggregate per call, so every
 * API server of a cluster answers the same and a restart loses nothing). "Blocked" is every
 * request the gateway answered itself: banned, throttled, rate limited, rejected or blocked.
 */
import { z } from 'zod';
import { defineRoute } from '../../route.js';

/** Each window and the width of its buckets: at most 96 points on the chart. */
const WINDOWS = {
  '1h': { windowMs: 3_600_000, bucketMs: 60_000 },
  '6h': { windowMs: 6 * 3_600_000, bucketMs: 5 * 60_000 },
  '24h': { windowMs: 24 * 3_600_000, bucketMs: 15 * 60_000 },
} as const;

const traffic = defineRoute('metrics', {
  method: 'GET',
  url: '/metrics/traffic',
  summary:
    'Requests and blocked requests per bucket over the last hour (1-min buckets), 6 h (5 min) or 24 h (15 min)',
  access: 'read',
  query: z.strictObject({ window: z.enum(['1h', '6h', '24h']).default('1h') }),
  response: {
    schema: z.object({
      window: z.enum(['1h', '6h', '24h']),
      bucketMs: z.number().int(),
      sinceMs: z.number().int(),
      untilMs: z.number().int(),
      /** Every bucket of the window, oldest first, empty ones with zeros. */
      buckets: z.array(
        z.object({ startMs: z.number().int(), requests: z.number().int(), blocked: z.number().int() }),
      ),
    }),
  },
  async handler({ query, deps }) {
    const { windowMs, bucketMs } = WINDOWS[query.window];
    // Buckets align to whole bucket widths, so a refresh moves the chart by whole points.
    const untilMs = (Math.floor(deps.clock.nowMs() / bucketMs) + 1) * bucketMs;
    const sinceMs = untilMs - windowMs;
    const counted = new Map(
      (await deps.store.events.trafficBuckets(sinceMs, untilMs, bucketMs)).map((b) => [b.startMs, b]),
    );
    const buckets = [];
    for (let startMs = sinceMs; startMs < untilMs; startMs += bucketMs) {
      buckets.push(counted.get(startMs) ?? { startMs, requests: 0, blocked: 0 });
    }
    return { window: query.window, bucketMs, sinceMs, untilMs, buckets };
  },
});

export const trafficRoutes = [traffic];
