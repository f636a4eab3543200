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
import type { Inspector } from '../inspection.js';
import { createWafInspector } from './inspector.js';
import { createWafEngine } from './engine/engine.js';
import { loadRuleFiles } from './seclang/loader.js';

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
export { createWafInspector, type WafInspectorOptions } from './inspector.js';
export { RECOMMENDED_RULES, RECOMMENDED_RULES_FILE, RECOMMENDED_RULE_IDS } from './base/recommended.js';
export { CP20127, CP20127_MAPPING } from './unicode/cp20127.js';
export { parseUnicodeMapping, type UnicodeMapTable } from './unicode/unicode-map.js';

/**
 * Loads rule files (globs allowed, in order) into an engine and wraps it as the gateway's
 * inspector. Throws WafLoadError (file:line) when a file is bad.
 * @example createInspector({ ruleFiles: [`${crs}/crs-setup.conf`, `${crs}/rules/*.conf`] })
 */
export function createInspector(config: {
  ruleFiles: string[];
  onMatchLine?: (line: string, requestId: string) => void;
}): Inspector {
  const engine = createWafEngine(loadRuleFiles(config.ruleFiles));
  return createWafInspector(engine, config.onMatchLine ? { onMatchLine: config.onMatchLine } : {});
}
