/**
 * Streaming anomaly detection (detect/anomaly): per route and per client, unsupervised,
 * learning its baselines from the traffic itself.
 *
 * @example const detector = createAnomalyDetector(); detector.observe(event);
 */
export { anomalyConfigSchema, parseAnomalyConfig } from './config.js';
export type { AnomalyConfig, AnomalyConfigInput } from './config.js';
export { createAnomalyDetector } from './detector.js';
export type { AnomalyDetector } from './detector.js';
export { ANOMALY_FEATURES } from './findings.js';
export type { AnomalyFeature } from './findings.js';
