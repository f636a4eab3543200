/**
 * What the SecLang loader hands the engine (gateway/waf/seclang -> gateway/waf engine): every
 * directive of the rule files in load order, typed, with its location. Order matters in
 * SecLang (SecDefaultAction applies to the rules after it; SecRuleRemoveById and
 * SecRuleUpdate*ById to the rules before it), so the engine walks `items` in order.
 */
import type { ActionSpec, RuleSpec, SourceLocation, VariableSelector } from '../types.js';
import type { UnicodeMapTable } from '../unicode/unicode-map.js';

/** An inclusive id range; a single id is `{ from: id, to: id }`. */
export interface IdRange {
  from: number;
  to: number;
}

export type RuleEngineMode = 'On' | 'Off' | 'DetectionOnly';
export type BodyLimitAction = 'Reject' | 'ProcessPartial';

/** Engine settings from Sec* directives; absent means "not set in the rule files" (the engine's default). */
export interface EngineSettings {
  ruleEngine?: RuleEngineMode;
  requestBodyAccess?: boolean;
  responseBodyAccess?: boolean;
  requestBodyLimitBytes?: number;
  requestBodyNoFilesLimitBytes?: number;
  requestBodyLimitAction?: BodyLimitAction;
  requestBodyJsonDepthLimit?: number;
  responseBodyLimitBytes?: number;
  responseBodyLimitAction?: BodyLimitAction;
  /** SecResponseBodyMimeType adds; SecResponseBodyMimeTypesClear empties. */
  responseBodyMimeTypes?: string[];
  collectionTimeoutSec?: number;
  argumentsLimit?: number;
  /** Every SecComponentSignature, in order (ModSecurity logs them all). */
  componentSignatures: string[];
  /** The last SecUnicodeMapFile: its file (absolute) and code page; the loader reads it into `unicodeMap`. */
  unicodeMapFile?: { file: string; codePage: number; location: SourceLocation };
}

/** A setting directive as written, already validated: `SecRuleEngine DetectionOnly`. */
export interface SettingItem {
  kind: 'setting';
  /** Canonical directive name. */
  name: string;
  /** The values, validated (On/Off, numbers, mime types...). */
  args: string[];
  location: SourceLocation;
}

export type ConfigItem =
  | { kind: 'rule'; rule: RuleSpec }
  | { kind: 'defaultAction'; actions: ActionSpec[]; location: SourceLocation }
  | { kind: 'removeById'; ranges: IdRange[]; location: SourceLocation }
  | { kind: 'removeByTag'; tag: string; location: SourceLocation }
  | { kind: 'removeByMsg'; msg: string; location: SourceLocation }
  | { kind: 'updateTargetById'; ranges: IdRange[]; targets: VariableSelector[]; location: SourceLocation }
  | { kind: 'updateTargetByTag'; tag: string; targets: VariableSelector[]; location: SourceLocation }
  | { kind: 'updateTargetByMsg'; msg: string; targets: VariableSelector[]; location: SourceLocation }
  | { kind: 'updateActionById'; ranges: IdRange[]; actions: ActionSpec[]; location: SourceLocation }
  | SettingItem;

/** An `Include` as the parser sees it; the loader replaces it with the included files' items. */
export interface IncludeItem {
  kind: 'include';
  pattern: string;
  location: SourceLocation;
}

export interface LoadedRuleSet {
  /** Every directive of every file, Includes expanded in place, in load order. */
  items: ConfigItem[];
  /** The SecRule / SecAction / SecMarker of `items`, in order (chained rules inside their parent). */
  rules: RuleSpec[];
  /** The engine settings, last directive wins (mime types accumulate). */
  settings: EngineSettings;
  /** Absolute paths of the files read, in order. */
  files: string[];
  /** Operator names (without `@`) the rules use, sorted: the engine checks them against its registry. */
  operatorsUsed: string[];
  /** Transformation names (`t:`) the rules use, sorted. */
  transformationsUsed: string[];
  /** The table of the last SecUnicodeMapFile (code point -> byte, -1 unmapped), for `t:urlDecodeUni`. */
  unicodeMap?: UnicodeMapTable;
}
