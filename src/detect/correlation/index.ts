/** Sigma correlation rules (detect/correlation): the public API. See docs/sigma.md. */
export { CorrelationEngine, DEFAULT_EVIDENCE_PER_GROUP, DEFAULT_MAX_KEYS_PER_RULE } from './engine.js';
export type { CorrelationEngineOptions } from './engine.js';
export { createSigmaDetector } from './detector.js';
export type { SigmaDetection, SigmaDetector } from './detector.js';
export { parseCorrelationDocument, CorrelationRuleError } from './parse.js';
export { parseTimespan } from './timespan.js';
export { CORRELATION_TYPES } from './types.js';
export type { CorrelationMatch, CorrelationRule, CorrelationType, CountRange } from './types.js';
