/**
 * What every transaction of one engine shares (gateway/waf/engine): the compiled program, the
 * persistent collections, the resolved settings, and load-time caches for text that only
 * becomes known at run time (operator parameters with macros, ctl target lists).
 */
import { compileMacro } from './macro.js';
import type { BodyLimitAction, RuleEngineMode } from '../seclang/model.js';
import type { Interrupter } from './interrupters.js';
import type { PersistentCollections } from './persistent.js';
import type { CompiledExclusion, Macro, RuleProgram } from './program.js';
import { ValueBuffer } from './variables.js';

/**
 * What a transaction learned about one value string (evaluate.ts): the program's literals it
 * holds (scanned once), and which transformations (PipelineStep.bit) leave it as it is.
 */
export interface ValueFacts {
  literals: readonly number[] | null;
  /** Bits checked so far, and among them those whose transformation returned the value unchanged. */
  known: number;
  unchanged: number;
  /** What the transformations that changed the value made of it, one link per transformation. */
  results: TransformResult | null;
}

/**
 * One transformation's result for a value it changed. A short list, not an array by bit index:
 * a value is changed by few transformations, and an array written at index 20 first would
 * allocate room for 50 (V8's growth rule), for every value of every transaction.
 */
export interface TransformResult {
  readonly bit: number;
  readonly value: string;
  readonly next: TransformResult | null;
}

/** What a released buffer's facts slots hold until its next resolution (never read). */
const RELEASED: ValueFacts = Object.freeze({ literals: null, known: 0, unchanged: 0, results: null });

/** A target's values in one phase run, with what the prefilter learned about all of them. */
export class TargetValues extends ValueBuffer {
  /** facts[i]: the facts of values[i]. */
  readonly facts: ValueFacts[] = [];
  /** Bits checked for every value, and among them those that leave every value unchanged. */
  known = 0;
  unchanged = 0;
  /** The union of the values' own literals, once read. */
  literals: readonly number[] | null = null;

  override reset(): void {
    super.reset();
    this.known = 0;
    this.unchanged = 0;
    this.literals = null;
  }

  /** Also lets go of the facts (their literal lists), keeping the array's storage. */
  override forget(): void {
    super.forget();
    this.facts.fill(RELEASED);
  }
}

/**
 * Working memory of rule evaluation (evaluate.ts), one per engine and shared by its
 * transactions: a phase runs from start to end without yielding, so only one transaction uses it
 * at a time, and a waiting transaction keeps none of it alive (less to copy and promote per GC).
 */
export class EvaluationScratch {
  /** The values of the link being evaluated. */
  readonly values = new ValueBuffer();
  /** A macro reference's values (macros may be expanded inside a rule). */
  readonly referenceValues = new ValueBuffer();
  /** multiMatch: one value and each value its pipeline's steps changed it into (evaluate.ts everyStep). */
  readonly steps = new ValueBuffer();
  readonly literalLists: Array<readonly number[]> = [];
  /**
   * CompiledRule.literalSlots slot -> the literal ids its values hold in the phase being run;
   * valid where targetLiteralsRun holds that phase's stamp (`run`).
   */
  readonly targetLiterals: Array<readonly number[] | undefined>;
  readonly targetLiteralsRun: Int32Array;
  /** CompiledTarget.id -> its values in the phase run its buffer's `run` names (prefilter). */
  readonly targetValues: Array<TargetValues | undefined>;
  private run = 0;

  constructor(slots: number, targetIds: number) {
    this.targetLiterals = new Array<readonly number[] | undefined>(slots).fill(undefined);
    this.targetLiteralsRun = new Int32Array(slots);
    this.targetValues = new Array<TargetValues | undefined>(targetIds).fill(undefined);
  }

  /** A stamp for a new phase run: every slot and target value cached before is stale. */
  nextRun(): number {
    if (this.run === 0x7fffffff) {
      this.run = 0;
      this.targetLiteralsRun.fill(0);
      for (const buffer of this.targetValues) if (buffer) buffer.run = 0;
    }
    return ++this.run;
  }

  /** The buffer that holds a target's values (see targetValues). */
  targetBuffer(targetId: number): TargetValues {
    let buffer = this.targetValues[targetId];
    if (buffer === undefined) {
      buffer = new TargetValues();
      this.targetValues[targetId] = buffer;
    }
    return buffer;
  }

  /** Lets go of the request's strings once its transaction waits (bodies can be large). */
  release(): void {
    for (const buffer of this.targetValues) buffer?.forget();
    this.values.forget();
    this.referenceValues.forget();
    this.steps.forget();
  }
}

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
  scratch: EvaluationScratch;
  /** Phase 3's rules that can interrupt (interrupters.ts), for WafTransaction.responseHeadersMayInterrupt. */
  responseHeaderInterrupters: readonly Interrupter[];
}

export function cachedMacro(context: EngineContext, text: string): Macro {
  let macro = context.macroCache.get(text);
  if (!macro) {
    macro = compileMacro(text);
    if (context.macroCache.size < 10_000) context.macroCache.set(text, macro);
  }
  return macro;
}
