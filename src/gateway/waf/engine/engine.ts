/**
 * The WAF engine (gateway/waf/engine): compiles a loaded rule set once and opens transactions
 * against it. A reload builds a new engine; a failed compile throws WafLoadError and leaves the
 * previous engine serving (all-or-nothing).
 *
 * @example
 * const engine = createWafEngine(loadRuleFiles([`${crs}/crs-setup.conf.example`, `${crs}/rules/*.conf`]));
 * const tx = engine.newTransaction({ remoteAddr, method, uri, protocol: 'HTTP/1.1', headers });
 */
import { randomBytes } from 'node:crypto';
import { compileRuleSet } from './compile.js';
import { InMemoryPersistentCollections } from './persistent.js';
import { defaultRegistries } from './registries.js';
import { WafTransaction, type WafRequest } from './transaction.js';
import { EvaluationScratch, type EngineContext, type ResolvedSettings } from './context.js';
import type { LoadedRuleSet, RuleEngineMode } from '../seclang/model.js';
import type { PersistentCollections } from './persistent.js';
import type { RuleProgram } from './program.js';
import { interruptersOf } from './interrupters.js';
import { createUrlDecodeUni, type UnicodeMap } from '../transformations/index.js';
import type { EngineRegistries } from './registries.js';

export interface WafEngineOptions {
  /** Operators and transformations; the real registries by default (tests inject stand-ins). */
  registries?: EngineRegistries;
  persistent?: PersistentCollections;
  /** Overrides SecRuleEngine from the rule files (configuration wins over rule files). */
  ruleEngine?: RuleEngineMode;
  /** Pick JSON / XML processors from Content-Type (ModSecurity's recommended rules 200000/200001); default true. */
  detectJsonAndXmlBodies?: boolean;
  auditEngine?: 'On' | 'Off' | 'RelevantOnly';
  serverId?: string;
  nowMs?: () => number;
}

export interface WafEngine {
  readonly program: RuleProgram;
  readonly settings: ResolvedSettings;
  /** Rules compiled (chains count once, markers not at all). */
  readonly ruleCount: number;
  newTransaction(request: WafRequest): WafTransaction;
}

function resolveSettings(ruleSet: LoadedRuleSet, options: WafEngineOptions): ResolvedSettings {
  const s = ruleSet.settings;
  // Defaults are ModSecurity v3's documented ones for a directive that is absent.
  return {
    ruleEngine: options.ruleEngine ?? s.ruleEngine ?? 'On',
    requestBodyAccess: s.requestBodyAccess ?? true,
    responseBodyAccess: s.responseBodyAccess ?? false,
    requestBodyLimitBytes: s.requestBodyLimitBytes ?? 13_107_200,
    requestBodyNoFilesLimitBytes: s.requestBodyNoFilesLimitBytes ?? 1_048_576,
    requestBodyLimitAction: s.requestBodyLimitAction ?? 'Reject',
    requestBodyJsonDepthLimit: s.requestBodyJsonDepthLimit ?? 512,
    responseBodyLimitBytes: s.responseBodyLimitBytes ?? 524_288,
    responseBodyLimitAction: s.responseBodyLimitAction ?? 'ProcessPartial',
    responseBodyMimeTypes: s.responseBodyMimeTypes ?? ['text/plain', 'text/html'],
    argumentsLimit: s.argumentsLimit ?? 1000,
    detectJsonAndXmlBodies: options.detectJsonAndXmlBodies ?? true,
    auditEngine: options.auditEngine ?? 'RelevantOnly',
    componentSignatures: s.componentSignatures,
    serverId: options.serverId ?? 'ensuresec',
  };
}

/**
 * With a SecUnicodeMapFile table, `t:urlDecodeUni` decodes `%uHHHH` through it, for every rule
 * of the set (ModSecurity keeps the map on the rule set too). No other transformation reads the
 * map in ModSecurity v3: not jsDecode's `\uHHHH`, not utf8toUnicode.
 */
function withUnicodeMap(registries: EngineRegistries, unicodeMap: UnicodeMap | undefined): EngineRegistries {
  if (unicodeMap === undefined) return registries;
  const mapped = createUrlDecodeUni(unicodeMap);
  return {
    ...registries,
    getTransformation: (name) =>
      name.toLowerCase() === 'urldecodeuni' ? mapped : registries.getTransformation(name),
  };
}

/** Compiles the rule set; throws WafLoadError (file:line) on an unknown operator or transformation. */
export function createWafEngine(ruleSet: LoadedRuleSet, options: WafEngineOptions = {}): WafEngine {
  const registries = withUnicodeMap(options.registries ?? defaultRegistries(), ruleSet.unicodeMap);
  const program = compileRuleSet(ruleSet, registries);
  const settings = resolveSettings(ruleSet, options);
  const context: EngineContext = {
    program,
    settings,
    persistent:
      options.persistent ??
      new InMemoryPersistentCollections({ timeoutSec: ruleSet.settings.collectionTimeoutSec }),
    nowMs: options.nowMs ?? Date.now,
    newUniqueId: () => randomBytes(12).toString('hex'),
    macroCache: new Map(),
    ctlTargetCache: new Map(),
    scratch: new EvaluationScratch(program.literalSlots, program.targetIds),
    responseHeaderInterrupters: interruptersOf(program, 3),
  };
  return {
    program,
    settings,
    ruleCount: program.ruleCount,
    newTransaction: (request) => new WafTransaction(context, request),
  };
}
