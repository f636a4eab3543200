/**
 * Action compilation (gateway/waf/engine, load time): turns a rule's ActionSpecs, merged with
 * the SecDefaultAction of its phase, into the fields of a CompiledRule — metadata, logging
 * flags, the disruptive action, flow (skip, skipAfter), transformation pipeline and effects
 * (setvar, ctl, initcol) with their macros parsed.
 *
 * Defaults follow ModSecurity v3: the default's transformations run first unless the rule says
 * `t:none`; `block` means the default's disruptive action; log/auditlog flags inherit.
 */
import { parseCtl, parseSetvar } from '../seclang/actions.js';
import { WafLoadError } from '../seclang/errors.js';
import { compileMacro } from './macro.js';
import type { CompiledRule, DisruptiveAction, Effect, Phase } from './program.js';
import type { EngineRegistries } from './registries.js';
import type { ActionSpec, SourceLocation, Transformation } from '../types.js';

const SEVERITY_NAMES = ['EMERGENCY', 'ALERT', 'CRITICAL', 'ERROR', 'WARNING', 'NOTICE', 'INFO', 'DEBUG'];
const DISRUPTIVE = new Set(['allow', 'block', 'deny', 'drop', 'pass', 'redirect']);

export function parsePhase(param: string | undefined): Phase {
  switch ((param ?? '2').toLowerCase()) {
    case '1':
      return 1;
    case '3':
      return 3;
    case '4':
    case 'response':
      return 4;
    case '5':
    case 'logging':
      return 5;
    default:
      return 2;
  }
}

export function parseSeverity(param: string): number {
  const byName = SEVERITY_NAMES.indexOf(param.toUpperCase());
  return byName === -1 ? Number(param) : byName;
}

function toDisruptive(action: ActionSpec): DisruptiveAction {
  switch (action.name) {
    case 'deny':
      return { kind: 'deny' };
    case 'drop':
      return { kind: 'drop' };
    case 'block':
      return { kind: 'block' };
    case 'redirect':
      return { kind: 'redirect', url: compileMacro(action.param ?? '') };
    case 'allow': {
      const scope = (action.param ?? '').toLowerCase();
      return { kind: 'allow', scope: scope === 'request' ? 'request' : scope === 'phase' ? 'phase' : 'all' };
    }
    default:
      return { kind: 'pass' };
  }
}

function lastDisruptive(actions: ActionSpec[]): DisruptiveAction | null {
  let found: DisruptiveAction | null = null;
  for (const action of actions) if (DISRUPTIVE.has(action.name)) found = toDisruptive(action);
  return found;
}

export function compilePipeline(
  names: string[],
  registries: EngineRegistries,
  location: SourceLocation,
): { transformations: Transformation[]; pipelineKey: string } {
  let kept: string[] = [];
  for (const name of names) {
    if (registries.isResetTransformation(name)) {
      kept = [];
      continue;
    }
    kept.push(name);
  }
  const transformations = kept.map((name) => {
    const transformation = registries.getTransformation(name);
    if (!transformation) throw new WafLoadError(location, `unsupported transformation "t:${name}"`);
    return transformation;
  });
  return { transformations, pipelineKey: kept.map((name) => name.toLowerCase()).join(',') };
}

function compileEffect(action: ActionSpec, location: SourceLocation): Effect | null {
  const param = action.param ?? '';
  switch (action.name) {
    case 'setvar': {
      const setvar = parseSetvar(param, location);
      return {
        kind: 'setvar',
        collection: setvar.collection,
        key: compileMacro(setvar.key),
        operation: setvar.operation,
        value: setvar.value === undefined ? null : compileMacro(setvar.value),
      };
    }
    case 'ctl': {
      const ctl = parseCtl(param, location);
      return { kind: 'ctl', option: ctl.option, value: compileMacro(ctl.value) };
    }
    case 'initcol': {
      const equals = param.indexOf('=');
      return {
        kind: 'initcol',
        collection: param.slice(0, equals).trim().toUpperCase(),
        key: compileMacro(param.slice(equals + 1).trim()),
      };
    }
    default:
      return null;
  }
}

export type ActionFields = Omit<
  CompiledRule,
  | 'id'
  | 'phase'
  | 'location'
  | 'targets'
  | 'exclusions'
  | 'valuesKey'
  | 'operator'
  | 'chained'
  | 'pipeline'
  | 'literalSlots'
>;

/** Compiles a rule's actions with its phase's default actions (`defaults`, possibly empty). */
export function compileActions(
  actions: ActionSpec[],
  defaults: ActionSpec[],
  registries: EngineRegistries,
  location: SourceLocation,
): ActionFields {
  const merged = [...defaults.filter((action) => action.name !== 'phase'), ...actions];
  const single = (name: string): string | undefined => {
    let value: string | undefined;
    for (const action of actions) if (action.name === name) value = action.param;
    return value;
  };
  let log = true;
  let auditlog = true;
  let explicitAuditlog = false;
  for (const action of merged) {
    if (action.name === 'log') log = true;
    else if (action.name === 'nolog') {
      log = false;
      if (!explicitAuditlog) auditlog = false;
    } else if (action.name === 'auditlog') {
      auditlog = true;
      explicitAuditlog = actions.includes(action);
    } else if (action.name === 'noauditlog') auditlog = false;
  }
  const defaultDisruptive = lastDisruptive(defaults);
  const blockAction: DisruptiveAction =
    defaultDisruptive && defaultDisruptive.kind !== 'block' ? defaultDisruptive : { kind: 'pass' };
  const severity = single('severity');
  const status = single('status') ?? defaults.find((action) => action.name === 'status')?.param;
  const pipeline = compilePipeline(
    merged.filter((action) => action.name === 't').map((action) => action.param ?? ''),
    registries,
    location,
  );
  const perMatchEffects: Effect[] = [];
  const afterMatchEffects: Effect[] = [];
  for (const action of actions) {
    const effect = compileEffect(action, location);
    if (effect) (effect.kind === 'ctl' ? afterMatchEffects : perMatchEffects).push(effect);
  }
  const msg = single('msg');
  const logdata = single('logdata');
  const skip = single('skip');
  return {
    ...pipeline,
    multiMatch: actions.some((action) => action.name === 'multiMatch'),
    capture: actions.some((action) => action.name === 'capture'),
    log,
    auditlog,
    msg: msg === undefined ? null : compileMacro(msg),
    logdata: logdata === undefined ? null : compileMacro(logdata),
    tags: actions.filter((action) => action.name === 'tag').map((action) => action.param ?? ''),
    severity: severity === undefined ? undefined : parseSeverity(severity),
    ver: single('ver'),
    rev: single('rev'),
    maturity: single('maturity'),
    accuracy: single('accuracy'),
    disruptive: lastDisruptive(actions) ?? defaultDisruptive,
    blockAction,
    status: status === undefined ? undefined : Number(status),
    skip: skip === undefined ? 0 : Number(skip),
    skipAfter: single('skipAfter'),
    perMatchEffects,
    afterMatchEffects,
  };
}
