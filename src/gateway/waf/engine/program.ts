/**
 * The executable rule program (gateway/waf/engine): what compile.ts builds from a LoadedRuleSet
 * once at load time and every transaction runs. Everything a request would otherwise redo —
 * operator compilation, transformation lookup, macro parsing, skipAfter resolution — is done
 * here, so a transaction only walks arrays.
 */
import type { LiteralIndex } from '../regex/literal-index.js';
import type { EngineSettings } from '../seclang/model.js';
import type { OperatorMatcher, SourceLocation, Transformation } from '../types.js';

export type Phase = 1 | 2 | 3 | 4 | 5;
export const PHASES: readonly Phase[] = [1, 2, 3, 4, 5];

/** A reference inside `%{...}`: `tx.score` -> { collection: 'TX', key: 'score' }. */
export interface MacroReference {
  collection: string;
  key?: string;
  /** The reference as a target, built on its first expansion (evaluate.ts resolveReference). */
  target?: CompiledTarget;
}

/** Text with macros, parsed once; `constant` is set when there is no macro at all. */
export interface Macro {
  source: string;
  constant: string | null;
  parts: Array<string | MacroReference>;
}

/** A key selector: exact (lower case, collections are case-insensitive) or a regex. */
export interface KeyMatcher {
  keyLower?: string;
  keyRegex?: RegExp;
}

export interface CompiledTarget extends KeyMatcher {
  /**
   * Equal targets (same collection, key and count) of the whole program share one id, which
   * indexes per-transaction caches (evaluate.ts); -1 for a target made at run time.
   */
  id: number;
  collection: string;
  /** The key as written (for the variable name in logs). */
  key?: string;
  count: boolean;
}

export interface CompiledExclusion extends KeyMatcher {
  collection: string;
}

export type DisruptiveAction =
  | { kind: 'pass' }
  | { kind: 'deny' }
  | { kind: 'drop' }
  | { kind: 'block' }
  | { kind: 'allow'; scope: 'all' | 'request' | 'phase' }
  | { kind: 'redirect'; url: Macro };

export type SetvarOperation = 'set' | 'increment' | 'decrement' | 'delete';

export type Effect =
  | { kind: 'setvar'; collection: string; key: Macro; operation: SetvarOperation; value: Macro | null }
  | { kind: 'ctl'; option: string; value: Macro }
  | { kind: 'initcol'; collection: string; key: Macro };

/**
 * One step of a pipeline: the transformation applied to what the parent step gave. Rules whose
 * pipelines start alike share their first steps.
 */
export interface PipelineStep {
  /** Numbers the steps (0 .. RuleProgram.pipelineSteps - 1); part of a literal slot's key. */
  id: number;
  parent: PipelineStep | null;
  transformation: Transformation;
  /** From the first step to this one. */
  path: readonly PipelineStep[];
  /**
   * This step's transformation as one bit of a program-wide numbering (0 past the 30th distinct
   * function): what it makes of a value is learnt once per value and transaction (evaluate.ts).
   */
  bit: number;
  /**
   * The bits a value must leave unchanged for this path to keep the literals it holds: every step's,
   * except a last `t:lowercase` (the literal index folds A-Z itself); -1 when a step has no bit.
   */
  literalBits: number;
}

export interface CompiledOperator {
  name: string;
  param: string;
  negated: boolean;
  matcher: OperatorMatcher;
  /**
   * The prefilter: one bit per literal id of RuleProgram.literals, set for the literals one of which
   * every value the operator accepts contains; null when the operator always runs.
   */
  prefilter: Uint32Array | null;
}

export interface CompiledRule {
  /** The rule id; chained links carry their chain starter's id. */
  id: number;
  phase: Phase;
  location: SourceLocation;
  targets: CompiledTarget[];
  exclusions: CompiledExclusion[];
  /**
   * Per target (same order): the program-wide slot of (target, pipeline, multiMatch) that
   * indexes the per-phase cache of the literals its values hold (evaluate.ts targetLiterals).
   */
  literalSlots: number[];
  /** null for SecAction: it matches once, unconditionally. */
  operator: CompiledOperator | null;
  transformations: Transformation[];
  /** Names the pipeline (lower case, comma separated); '' when there is none. */
  pipelineKey: string;
  /**
   * The pipeline's last step, null when there is none. Steps are shared by every pipeline of
   * the program that starts with the same transformations, so a value transformed by
   * `t:urlDecodeUni,t:lowercase` is reused by `t:urlDecodeUni,t:lowercase,t:removeNulls`.
   */
  pipeline: PipelineStep | null;
  /**
   * Targets, exclusions and pipeline (and multiMatch) as one key when every target reads a
   * STABLE_SOURCES source: rules with the same key share their transformed values within a phase
   * (with ctl-removed targets, under this key plus the removals, see evaluate.ts). null otherwise.
   */
  valuesKey: string | null;
  multiMatch: boolean;
  capture: boolean;
  log: boolean;
  auditlog: boolean;
  msg: Macro | null;
  logdata: Macro | null;
  tags: string[];
  severity: number | undefined;
  ver: string | undefined;
  rev: string | undefined;
  maturity: string | undefined;
  accuracy: string | undefined;
  /** The rule's own disruptive action (chain starter only); null means none written. */
  disruptive: DisruptiveAction | null;
  /** What `block` resolves to: the SecDefaultAction disruptive action of the rule's phase. */
  blockAction: DisruptiveAction;
  status: number | undefined;
  skip: number;
  skipAfter: string | undefined;
  /** setvar and initcol, in written order: run per match, whatever the rest of the chain does (ModSecurity v3). */
  perMatchEffects: Effect[];
  /** ctl: run once when the whole chain matched. */
  afterMatchEffects: Effect[];
  chained: CompiledRule | null;
}

export type ProgramEntry = { kind: 'rule'; rule: CompiledRule } | { kind: 'marker'; name: string };

export interface PhaseProgram {
  entries: ProgramEntry[];
  /** skipAfter label -> index of the entry after the marker; absent labels skip to the end. */
  markerIndex: Map<string, number>;
}

export interface RuleProgram {
  /** phases[1]..phases[5]; index 0 unused. */
  phases: PhaseProgram[];
  /** Every chain starter by id (ctl:ruleRemoveTargetById and logs). */
  rulesById: Map<number, CompiledRule>;
  /** Chain starters by tag (ctl:ruleRemoveTargetByTag). */
  startersByTag: Map<string, CompiledRule[]>;
  settings: EngineSettings;
  ruleCount: number;
  /** Every operator's required literals, scanned once per distinct value (regex/literal-index.ts). */
  literals: LiteralIndex;
  /** Number of distinct pipeline steps (PipelineStep.id) and target ids (CompiledTarget.id). */
  pipelineSteps: number;
  targetIds: number;
  /** Number of distinct CompiledRule.literalSlots. */
  literalSlots: number;
}
