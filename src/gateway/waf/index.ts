/**
 * The WAF's public entry point (gateway/waf): load SecLang rule files (the OWASP CRS, our own
 * virtual patches), compile them into an engine, and run HTTP exchanges through transactions.
 * The gateway and the composition root import from here only.
 *
 * @example
 * const engine = createWafEngine(loadRuleFiles([`${crsDir}/crs-setup.conf.example`, `${crsDir}/rules/*.conf`]));
 * const tx = engine.newTransaction({ remoteAddr, method, uri, protocol: 'HTTP/1.1', headers });
 * const stop = tx.processRequestHeaders() ?? tx.processRequestBody(body);
 * const { matchedRules, matchLines, auditLog } = tx.processLogging();
 */
export { loadRuleFiles, loadRuleText, type LoadOptions } from './seclang/loader.js';
export { WafLoadError, isWafLoadError } from './seclang/errors.js';
export type { LoadedRuleSet, EngineSettings, RuleEngineMode } from './seclang/model.js';
export { createWafEngine, type WafEngine, type WafEngineOptions } from './engine/engine.js';
export { defaultRegistries, type EngineRegistries } from './engine/registries.js';
export {
  InMemoryPersistentCollections,
  type PersistentCollections,
  type InMemoryCollectionsOptions,
} from './engine/persistent.js';
export { WafTransaction, type WafRequest, type WafResponse } from './engine/transaction.js';
export type { WafResult, WafMatch, WafInterruption, AuditRecord } from './engine/results.js';
