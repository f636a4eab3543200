/**
 * Threat-intelligence matching (detect/intel): import indicator files (CSV, plain lists,
 * STIX 2.1 bundles), hold them in an index, enrich events and raise detections.
 *
 * @example
 * const index = new IndicatorIndex((await importIndicatorFile('feeds/c2.json')).indicators);
 * const detector = createThreatIntelDetector({ index });
 */
export { createThreatIntelDetector, intelLabels, matchEvent, severityForConfidence } from './detector.js';
export type { ThreatIntelDetector, ThreatIntelOptions } from './detector.js';
export { formatOfFile, importIndicatorFile, importIndicatorText, INTEL_FORMATS } from './import.js';
export type { IntelFormat, IntelImportOptions } from './import.js';
export { IndicatorIndex, indicatorKey, isValidAt } from './matcher.js';
export { parseStixPattern } from './stix-pattern.js';
export { intelProblemText, INDICATOR_TYPES } from './types.js';
export type { Indicator, IndicatorType, IntelImportResult, IntelMatch, IntelProblem } from './types.js';
