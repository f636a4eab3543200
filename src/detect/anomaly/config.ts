/**
 * Anomaly detector settings (detect/anomaly), validated with zod; every field has a default,
 * so `{}` is a working configuration. Durations are milliseconds of event time.
 *
 * @example parseAnomalyConfig({ learningMs: 4 * 3_600_000, zThreshold: 8 })
 */
import { z } from 'zod';
import { EnsuresecError } from '../../core/errors.js';

const count = (fallback: number) => z.number().int().min(1).default(fallback);
const positive = (fallback: number) => z.number().positive().default(fallback);

export const anomalyConfigSchema = z
  .object({
    /** Learning period from the first event: only learn, never alert. */
    learningMs: z
      .number()
      .int()
      .min(0)
      .default(2 * 3_600_000),
    /** Width of the windows rates and status mixes are counted in. */
    windowMs: z.number().int().min(1000).default(60_000),
    /** How fast baselines forget: half-life in event time. */
    halfLifeMs: z.number().int().min(60_000).default(3_600_000),
    /** Half-life of the per-request baselines (sizes, entropy), in requests of the route. */
    halfLifeRequests: count(2000),
    /** Offset of local time from UTC for the hour-of-day profile, in minutes. */
    utcOffsetMinutes: z.number().int().min(-840).max(840).default(0),

    /** How far (in robust standard deviations) a value must lie above its baseline. */
    zThreshold: positive(6),
    /** And how many times the expected value it must be (rates, status ratios, cluster share). */
    ratioThreshold: positive(3),
    /** For sizes and URL entropy of one request: times the route's typical value. */
    requestRatioThreshold: positive(10),

    /** A route is judged once it has this many requests (its own learning). */
    minRouteRequests: count(200),
    /** Requests in a window before a route's rate can be anomalous. */
    minWindowRequests: count(30),
    /** 4xx or 5xx answers in a window before a route's or client's status mix can be anomalous. */
    minStatusEvents: count(5),
    /** Bytes below which a request or response is never an outlier. */
    minOutlierBytes: count(4096),
    /** Requests of a new JA4 or user-agent family in a window before it is a new cluster. */
    minClusterRequests: count(20),
    /** And its share of the route's requests in that window. */
    minClusterShare: z.number().min(0).max(1).default(0.2),
    /** Requests in a window before a client's rate can be anomalous. */
    minClientRequests: count(60),
    /** Distinct paths in a window before a client's path spread can be anomalous. */
    minClientPaths: count(30),
    /** Client windows seen before clients are compared with the population. */
    minPopulationWindows: count(500),

    /** Quiet period per key and feature after an alert. */
    cooldownMs: z.number().int().min(0).default(600_000),
    /** Bounds on state: least recently seen keys are evicted beyond them. */
    maxRoutes: count(5000),
    maxClients: count(500_000),
    /** Known JA4 / user-agent families remembered per route. */
    maxClustersPerRoute: count(256),
  })
  .strict();

export type AnomalyConfig = z.output<typeof anomalyConfigSchema>;
export type AnomalyConfigInput = z.input<typeof anomalyConfigSchema>;

export function parseAnomalyConfig(input: unknown = {}): AnomalyConfig {
  const parsed = anomalyConfigSchema.safeParse(input ?? {});
  if (parsed.success) return parsed.data;
  const detail = parsed.error.issues
    .map((i) => `anomaly.${i.path.join('.') || '(root)'}: ${i.message}`)
    .join('; ');
  throw new EnsuresecError('config_invalid', { detail });
}
