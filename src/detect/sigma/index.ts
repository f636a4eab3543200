/** The Sigma engine (detect/sigma): the public API. See docs/sigma.md. */
export { createSigmaEngine, logsourceLabel, SigmaEngine } from './engine.js';
export type { RuleStatus, SigmaEngineOptions } from './engine.js';
export { createFieldMap, DEFAULT_FIELD_MAP, DEFAULT_LOG_SOURCES, KEYWORD_FIELD } from './field-map.js';
export type {
  EventFilter,
  FieldMap,
  FieldMapOptions,
  FieldMapping,
  FieldTransform,
  LogSourceFeed,
} from './field-map.js';
export { loadSigmaRules } from './load.js';
export type { LoadedSigmaRules } from './load.js';
export { SUPPORTED_MODIFIERS } from './modifiers.js';
export { MAX_RULE_FILE_BYTES, parseSigmaText } from './parse.js';
export type { ParsedSigmaFile } from './parse.js';
export { MAX_BACKTRACKING_INPUT } from './regex.js';
export { problemText, SIGMA_LEVELS } from './types.js';
export type { SigmaLevel, SigmaLogSource, SigmaMatch, SigmaProblem, SigmaRule } from './types.js';
