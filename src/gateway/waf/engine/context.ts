/**
 * What every transaction of one engine shares (gateway/waf/engine): the compiled program, the
 * persistent collections, the resolved settings, and load-time caches for text that only
 * becomes known at run time (operator parameters with macros, ctl target lists).
 */
import { compileMacro } from './macro.js';
import type { BodyLimitAction, RuleEngineMode } from '../seclang/model.js';
import type { PersistentCollections } from './persistent.js';
import type { CompiledExclusion, Macro, RuleProgram } from './program.js';

export interface ResolvedSettings {
  ruleEngine: RuleEngineMode;
  requestBodyAccess: boolean;
  responseBodyAccess: boolean;
  requestBodyLimitBytes: number;
  requestBodyNoFilesLimitBytes: number;
  requestBodyLimitAction: BodyLimitAction;
  requestBodyJsonDepthLimit: number;
  responseBodyLimitBytes: number;
  responseBodyLimitAction: BodyLimitAction;
  responseBodyMimeTypes: string[];
  argumentsLimit: number;
  /** Choose JSON / XML body processors from Content-Type as ModSecurity's recommended rules 200000/200001 do. */
  detectJsonAndXmlBodies: boolean;
  auditEngine: 'On' | 'Off' | 'RelevantOnly';
  componentSignatures: string[];
  serverId: string;
}

export interface EngineContext {
  program: RuleProgram;
  settings: ResolvedSettings;
  persistent: PersistentCollections;
  nowMs: () => number;
  newUniqueId: () => string;
  /** Macros parsed on first use and kept: operator parameters expand the same text every time. */
  macroCache: Map<string, Macro>;
  /** ctl:ruleRemoveTarget* values compiled on first use. */
  ctlTargetCache: Map<string, { selector: string; exclusions: CompiledExclusion[] }>;
}

export function cachedMacro(context: EngineContext, text: string): Macro {
  let macro = context.macroCache.get(text);
  if (!macro) {
    macro = compileMacro(text);
    if (context.macroCache.size < 10_000) context.macroCache.set(text, macro);
  }
  return macro;
}
