/**
 * Rule-set compilation (gateway/waf/engine, load time): LoadedRuleSet -> RuleProgram.
 *
 * Walks the loader's items in order, as SecLang requires: SecDefaultAction applies to the rules
 * after it; SecRuleRemoveById/ByTag/ByMsg, SecRuleUpdateTargetById/ByTag/ByMsg and
 * SecRuleUpdateActionById apply to the rules before it (ModSecurity v2 and Coraza; CRS places
 * its exclusions after the rules for this reason). Then each surviving rule is compiled:
 * operators resolved and compiled, pipelines built, targets and macros parsed, rules split by
 * phase, SecMarkers put in every phase and skipAfter labels indexed. Any unknown operator or
 * transformation, or a parameter an operator refuses, is a WafLoadError with file:line.
 *
 * Paranoia levels need nothing here: CRS skips the rules above its level itself with skipAfter
 * keyed on tx.detection_paranoia_level.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { LiteralIndex } from '../regex/literal-index.js';
import { lowercase } from '../transformations/lowercase.js';
import { WafLoadError } from '../seclang/errors.js';
import { compileActions, parsePhase } from './compile-actions.js';
import { compileKeyRegex } from './key-regex.js';
import { STABLE_SOURCES } from './variables.js';
import { PHASES } from './program.js';
import { findOperator } from './registries.js';
import type {
  CompiledExclusion,
  CompiledOperator,
  CompiledRule,
  CompiledTarget,
  Phase,
  PipelineStep,
  RuleProgram,
} from './program.js';
import type { EngineRegistries } from './registries.js';
import type { ConfigItem, IdRange, LoadedRuleSet } from '../seclang/model.js';
import type { ActionSpec, RuleSpec, VariableSelector } from '../types.js';

interface PendingRule {
  spec: RuleSpec;
  defaultsByPhase: ReadonlyMap<Phase, ActionSpec[]>;
  removed: boolean;
}

/** Actions that may appear many times on a rule: SecRuleUpdateActionById appends them. */
const REPEATABLE_ACTIONS = new Set(['t', 'tag', 'setvar', 'ctl', 'initcol']);
const DISRUPTIVE_ACTIONS = new Set(['allow', 'block', 'deny', 'drop', 'pass', 'redirect']);

const ruleIdOf = (spec: RuleSpec): number => Number(spec.actions.find((a) => a.name === 'id')?.param ?? 0);
const phaseOf = (actions: ActionSpec[]): Phase => parsePhase(actions.find((a) => a.name === 'phase')?.param);
const inRanges = (id: number, ranges: IdRange[]): boolean => ranges.some((r) => id >= r.from && id <= r.to);
const tagsOf = (spec: RuleSpec): string[] =>
  spec.actions.filter((a) => a.name === 'tag').map((a) => a.param ?? '');
const msgOf = (spec: RuleSpec): string | undefined => spec.actions.find((a) => a.name === 'msg')?.param;

function updateActions(actions: ActionSpec[], updates: ActionSpec[]): ActionSpec[] {
  let result = [...actions];
  for (const update of updates) {
    if (DISRUPTIVE_ACTIONS.has(update.name)) {
      result = result.filter((action) => !DISRUPTIVE_ACTIONS.has(action.name));
    } else if (!REPEATABLE_ACTIONS.has(update.name)) {
      result = result.filter((action) => action.name !== update.name);
    }
    result.push(update);
  }
  return result;
}

/** Applies the ordered configuration items; returns the rules left, each with its defaults. */
function applyItems(items: ConfigItem[]): PendingRule[] {
  const pending: PendingRule[] = [];
  let defaults = new Map<Phase, ActionSpec[]>();
  const live = (): PendingRule[] => pending.filter((rule) => !rule.removed);
  for (const item of items) {
    switch (item.kind) {
      case 'rule':
        pending.push({
          spec: { ...item.rule, variables: [...item.rule.variables] },
          defaultsByPhase: defaults,
          removed: false,
        });
        break;
      case 'defaultAction':
        defaults = new Map(defaults);
        defaults.set(phaseOf(item.actions), item.actions);
        break;
      case 'removeById':
        for (const rule of live()) if (inRanges(ruleIdOf(rule.spec), item.ranges)) rule.removed = true;
        break;
      case 'removeByTag':
        for (const rule of live()) if (tagsOf(rule.spec).includes(item.tag)) rule.removed = true;
        break;
      case 'removeByMsg':
        for (const rule of live()) if (msgOf(rule.spec) === item.msg) rule.removed = true;
        break;
      case 'updateTargetById':
      case 'updateTargetByTag':
      case 'updateTargetByMsg':
        for (const rule of live()) {
          const selected =
            item.kind === 'updateTargetById'
              ? inRanges(ruleIdOf(rule.spec), item.ranges)
              : item.kind === 'updateTargetByTag'
                ? tagsOf(rule.spec).includes(item.tag)
                : msgOf(rule.spec) === item.msg;
          if (selected) rule.spec.variables.push(...item.targets);
        }
        break;
      case 'updateActionById':
        for (const rule of live()) {
          if (inRanges(ruleIdOf(rule.spec), item.ranges)) {
            rule.spec = { ...rule.spec, actions: updateActions(rule.spec.actions, item.actions) };
          }
        }
        break;
      default:
        break;
    }
  }
  return live();
}

function compileTargets(
  selectors: VariableSelector[],
  rule: RuleSpec,
): { targets: CompiledTarget[]; exclusions: CompiledExclusion[] } {
  const targets: CompiledTarget[] = [];
  const exclusions: CompiledExclusion[] = [];
  for (const selector of selectors) {
    const matcher = compileSelectorKey(selector, rule);
    if (selector.exclude) exclusions.push({ collection: selector.collection, ...matcher });
    else
      targets.push({
        id: -1,
        collection: selector.collection,
        key: selector.key,
        count: selector.count === true,
        ...matcher,
      });
  }
  return { targets, exclusions };
}

export function compileSelectorKey(
  selector: VariableSelector,
  rule: { location: RuleSpec['location'] },
): { keyLower?: string; keyRegex?: RegExp } {
  if (selector.key === undefined) return {};
  if (selector.collection === 'XML') {
    if (selector.key !== '/*' && selector.key !== '//@*') {
      throw new WafLoadError(rule.location, `unsupported XPath "${selector.key}": XML:/* and XML://@* are`);
    }
    return { keyLower: selector.key };
  }
  if (!selector.keyIsRegex) return { keyLower: selector.key.toLowerCase() };
  try {
    return { keyRegex: compileKeyRegex(selector.key) };
  } catch (error) {
    throw new WafLoadError(rule.location, `invalid key regex /${selector.key}/: ${(error as Error).message}`);
  }
}

/** Operators with required literals, waiting for the literal index of the whole program. */
type PrefilterRequests = Array<{ operator: CompiledOperator; literals: readonly string[] }>;

function compileOperator(
  spec: RuleSpec,
  registries: EngineRegistries,
  prefilters: PrefilterRequests,
): CompiledRule['operator'] {
  if (spec.kind === 'action' || spec.operator === null) return null;
  const { name, param, negated } = spec.operator;
  const definition = findOperator(registries, name);
  if (!definition) throw new WafLoadError(spec.location, `unsupported operator "@${name}"`);
  const baseDir = path.dirname(spec.location.file);
  const files = {
    resolveFile: (file: string) => readFileSync(path.resolve(baseDir, file)).toString('latin1'),
  };
  try {
    const matcher = definition.compile(param, files);
    const operator: CompiledOperator = { name, param, negated, matcher, prefilter: null };
    const literals = definition.requiredLiterals?.(param, files) ?? null;
    if (literals !== null && literals.length > 0) prefilters.push({ operator, literals });
    return operator;
  } catch (error) {
    if (error instanceof WafLoadError) throw error;
    throw new WafLoadError(spec.location, `@${name}: ${(error as Error).message}`, { cause: error });
  }
}

const keyText = (part: { collection: string; keyLower?: string; keyRegex?: RegExp }): string =>
  `${part.collection}:${part.keyRegex ? `/${part.keyRegex.source}/${part.keyRegex.flags}` : (part.keyLower ?? '')}`;

/** See CompiledRule.valuesKey. */
function valuesKeyOf(
  { targets, exclusions }: { targets: CompiledTarget[]; exclusions: CompiledExclusion[] },
  pipelineKey: string,
): string | null {
  if (targets.length === 0 || !targets.every((target) => STABLE_SOURCES.has(target.collection))) return null;
  const read = targets.map((target) => (target.count ? '&' : '') + keyText(target)).join('|');
  return `${read}|!${exclusions.map(keyText).join('|!')}#${pipelineKey}`;
}

/** A program whose rules write a stable source with setvar cannot share values within a phase. */
function writesStableSource(rule: CompiledRule): boolean {
  for (let link: CompiledRule | null = rule; link; link = link.chained) {
    for (const effect of [...link.perMatchEffects, ...link.afterMatchEffects]) {
      if (effect.kind === 'setvar' && STABLE_SOURCES.has(effect.collection.toUpperCase())) return true;
    }
  }
  return false;
}

function compileRule(
  spec: RuleSpec,
  defaults: ReadonlyMap<Phase, ActionSpec[]>,
  registries: EngineRegistries,
  starter: { id: number; phase: Phase } | null,
  prefilters: PrefilterRequests,
): CompiledRule {
  const id = starter?.id ?? ruleIdOf(spec);
  const phase = starter?.phase ?? phaseOf(spec.actions);
  const fields = compileActions(spec.actions, defaults.get(phase) ?? [], registries, spec.location);
  const targets = compileTargets(spec.variables, spec);
  return {
    id,
    phase,
    location: spec.location,
    ...targets,
    // multiMatch rules share too, but only among themselves: their values are every step.
    valuesKey: valuesKeyOf(
      targets,
      fields.multiMatch ? `${fields.pipelineKey}#multiMatch` : fields.pipelineKey,
    ),
    literalSlots: [],
    operator: compileOperator(spec, registries, prefilters),
    ...fields,
    pipeline: null,
    disruptive: starter ? null : fields.disruptive,
    chained: spec.chained ? compileRule(spec.chained, defaults, registries, { id, phase }, prefilters) : null,
  };
}

export function compileRuleSet(ruleSet: LoadedRuleSet, registries: EngineRegistries): RuleProgram {
  const phases = [0, ...PHASES].map(() => ({ entries: [], markerIndex: new Map<string, number>() }));
  const program: RuleProgram = {
    phases: phases as RuleProgram['phases'],
    rulesById: new Map(),
    startersByTag: new Map(),
    settings: ruleSet.settings,
    ruleCount: 0,
    literals: new LiteralIndex([]),
    pipelineSteps: 0,
    targetIds: 0,
    literalSlots: 0,
  };
  const prefilters: PrefilterRequests = [];
  for (const { spec, defaultsByPhase } of applyItems(ruleSet.items)) {
    if (spec.kind === 'marker') {
      for (const phase of PHASES) {
        const phaseProgram = program.phases[phase];
        if (!phaseProgram) continue;
        phaseProgram.entries.push({ kind: 'marker', name: spec.marker ?? '' });
        if (!phaseProgram.markerIndex.has(spec.marker ?? '')) {
          phaseProgram.markerIndex.set(spec.marker ?? '', phaseProgram.entries.length);
        }
      }
      continue;
    }
    const rule = compileRule(spec, defaultsByPhase, registries, null, prefilters);
    program.phases[rule.phase]?.entries.push({ kind: 'rule', rule });
    if (rule.id !== 0) program.rulesById.set(rule.id, rule);
    for (const tag of new Set(rule.tags)) {
      const tagged = program.startersByTag.get(tag);
      if (tagged) tagged.push(rule);
      else program.startersByTag.set(tag, [rule]);
    }
    program.ruleCount++;
  }
  program.literals = buildPrefilters(prefilters);
  const rules = program.phases.flatMap((phase) =>
    phase.entries.flatMap((entry) => (entry.kind === 'rule' ? [entry.rule] : [])),
  );
  internPipelinesAndTargets(program, rules);
  if (rules.some(writesStableSource)) {
    for (const rule of rules)
      for (let link: CompiledRule | null = rule; link; link = link.chained) link.valuesKey = null;
  }
  return program;
}

/** Transformation functions numbered as bits of a 32-bit integer (PipelineStep.bit). */
const IDENTITY_BITS = 30;

/** Gives every rule link its interned pipeline steps and every target its id (see program.ts). */
function internPipelinesAndTargets(program: RuleProgram, rules: CompiledRule[]): void {
  const functionIds = new Map<CompiledRule['transformations'][number], number>();
  const steps = new Map<string, PipelineStep>();
  const targetIds = new Map<string, number>();
  const slots = new Map<string, number>();
  for (const rule of rules) {
    for (let link: CompiledRule | null = rule; link; link = link.chained) {
      let step: PipelineStep | null = null;
      for (const transformation of link.transformations) {
        let functionId = functionIds.get(transformation);
        if (functionId === undefined) {
          functionId = functionIds.size;
          functionIds.set(transformation, functionId);
        }
        const key = `${step?.id ?? ''}>${functionId}`;
        let next = steps.get(key);
        if (next === undefined) {
          const path: PipelineStep[] = step ? [...step.path] : [];
          const bit = functionId < IDENTITY_BITS ? 1 << functionId : 0;
          next = { id: steps.size, parent: step, transformation, path, bit, literalBits: 0 };
          path.push(next);
          steps.set(key, next);
        }
        step = next;
      }
      link.pipeline = step;
      for (const target of link.targets) {
        const key = (target.count ? `&${target.key ?? ''}&` : '') + keyText(target);
        let id = targetIds.get(key);
        if (id === undefined) {
          id = targetIds.size;
          targetIds.set(key, id);
        }
        target.id = id;
      }
      link.literalSlots = link.targets.map((target) => {
        const key = `${target.id}>${step?.id ?? -1}>${link?.multiMatch ? 1 : 0}`;
        let slot = slots.get(key);
        if (slot === undefined) {
          slot = slots.size;
          slots.set(key, slot);
        }
        return slot;
      });
    }
  }
  for (const step of steps.values()) {
    let bits = 0;
    for (const each of step.path) {
      if (each.bit === 0) {
        bits = -1;
        break;
      }
      if (each !== step || each.transformation !== lowercase) bits |= each.bit;
    }
    step.literalBits = bits;
  }
  program.pipelineSteps = steps.size;
  program.targetIds = targetIds.size;
  program.literalSlots = slots.size;
}

/** One literal index for the whole program; each operator flags its own literals in it. */
function buildPrefilters(requests: PrefilterRequests): LiteralIndex {
  const index = new LiteralIndex(requests.flatMap((request) => request.literals));
  for (const { operator, literals } of requests) {
    // One bit per literal: the CRS's @pm phrase lists make about 7,800 literals, and 310
    // operators each held a byte per literal (2.4 MB per worker) before.
    const flags = new Uint32Array(Math.ceil(index.literals.length / 32));
    for (const literal of literals) {
      const id = index.idFor(literal);
      // Cannot happen (every literal went into the index); if it did, filtering would be unsafe.
      if (id < 0) return unfiltered(requests);
      flags[id >>> 5]! |= 1 << (id & 31);
    }
    operator.prefilter = flags;
  }
  return index;
}

function unfiltered(requests: PrefilterRequests): LiteralIndex {
  for (const { operator } of requests) operator.prefilter = null;
  return new LiteralIndex([]);
}
