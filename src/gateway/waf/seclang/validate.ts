/**
 * Vocabulary check (gateway/waf/seclang): every variable, action, ctl option, setvar/initcol
 * collection and macro name of a parsed item must be one the engine implements
 * (vocabulary.ts); anything else is a WafLoadError with the directive's file:line. Operator
 * and transformation names are only collected here; the engine checks them against its
 * registries.
 */
import { parseCtl, parseCtlTargetRemoval, parseSetvar } from './actions.js';
import { WafLoadError } from './errors.js';
import { parseIdRanges } from './parser.js';
import { formatVariable } from './variables.js';
import {
  ACTIONS,
  CTL_OPTIONS,
  PERSISTENT_COLLECTIONS,
  WRITABLE_COLLECTIONS,
  isMacroName,
  variableKind,
} from './vocabulary.js';
import type { ConfigItem } from './model.js';
import type { ActionSpec, RuleSpec, SourceLocation, VariableSelector } from '../types.js';

/** What validation collects while it walks the items. */
export interface UsedNames {
  operators: Set<string>;
  transformations: Set<string>;
}

const MACRO = /%\{([A-Za-z_][A-Za-z0-9_]*)(?:[.:][^}]*)?\}/g;
const SEVERITIES = ['EMERGENCY', 'ALERT', 'CRITICAL', 'ERROR', 'WARNING', 'NOTICE', 'INFO', 'DEBUG'];

function checkMacros(text: string, location: SourceLocation, where: string): void {
  for (const match of text.matchAll(MACRO)) {
    const name = (match[1] ?? '').toUpperCase();
    if (!isMacroName(name))
      throw new WafLoadError(location, `unknown variable "${match[1]}" in the macro ${match[0]} of ${where}`);
  }
}

export function validateVariables(selectors: VariableSelector[], location: SourceLocation): void {
  for (const selector of selectors) {
    const kind = variableKind(selector.collection);
    if (kind === undefined) throw new WafLoadError(location, `unknown variable "${selector.collection}"`);
    if (kind === 'scalar' && selector.key !== undefined) {
      throw new WafLoadError(
        location,
        `${selector.collection} is not a collection: "${formatVariable(selector)}" cannot take a key`,
      );
    }
  }
}

function checkCtl(param: string, location: SourceLocation): void {
  const ctl = parseCtl(param, location);
  if (!(ctl.option in CTL_OPTIONS)) throw new WafLoadError(location, `unknown ctl option "${ctl.option}"`);
  const allowed = CTL_OPTIONS[ctl.option];
  if (allowed) {
    if (!allowed.some((value) => value.toLowerCase() === ctl.value.toLowerCase())) {
      throw new WafLoadError(
        location,
        `ctl:${ctl.option} accepts ${allowed.join(' | ')}, not "${ctl.value}"`,
      );
    }
    return;
  }
  switch (ctl.option) {
    case 'ruleRemoveById':
      parseIdRanges([ctl.value], location);
      return;
    case 'ruleRemoveTargetById': {
      const removal = parseCtlTargetRemoval(ctl.value, location);
      parseIdRanges([removal.selector], location);
      validateVariables(removal.targets, location);
      return;
    }
    case 'ruleRemoveTargetByTag':
      validateVariables(parseCtlTargetRemoval(ctl.value, location).targets, location);
      return;
    case 'auditLogParts':
      if (!/^[+-]?[A-KZ]+$/.test(ctl.value))
        throw new WafLoadError(location, `ctl:auditLogParts "${ctl.value}" is not a list of parts (A-K, Z)`);
      return;
    default:
      if (ctl.value === '') throw new WafLoadError(location, `ctl:${ctl.option} needs a value`);
  }
}

function checkActionValue(action: ActionSpec, location: SourceLocation): void {
  const param = action.param ?? '';
  const fail = (expected: string): never => {
    throw new WafLoadError(location, `${action.name}:${param} is invalid: ${expected}`);
  };
  switch (action.name) {
    case 'id':
      if (!/^[0-9]{1,10}$/.test(param) || Number(param) < 1 || Number(param) > 0xffffffff)
        fail('a rule id is a positive whole number');
      break;
    case 'phase':
      if (!/^([1-5]|request|response|logging)$/i.test(param))
        fail('phase is 1-5, request, response or logging');
      break;
    case 'severity':
      if (!/^[0-7]$/.test(param) && !SEVERITIES.includes(param.toUpperCase()))
        fail(`severity is 0-7 or ${SEVERITIES.join(', ')}`);
      break;
    case 'skip':
      if (!/^[0-9]{1,6}$/.test(param) || Number(param) < 1)
        fail('skip counts rules: a whole number of at least 1');
      break;
    case 'status':
      if (!/^[1-5][0-9][0-9]$/.test(param)) fail('status is an HTTP status code');
      break;
    case 't':
      if (!/^[A-Za-z0-9]+$/.test(param)) fail('t: names one transformation');
      break;
    case 'ctl':
      checkCtl(param, location);
      break;
    case 'setvar': {
      const setvar = parseSetvar(param, location);
      if (!(WRITABLE_COLLECTIONS as readonly string[]).includes(setvar.collection)) {
        fail(`setvar writes one of ${WRITABLE_COLLECTIONS.join(', ').toLowerCase()}`);
      }
      break;
    }
    case 'initcol': {
      const equals = param.indexOf('=');
      const collection = param.slice(0, Math.max(equals, 0)).trim().toUpperCase();
      if (equals <= 0 || !(PERSISTENT_COLLECTIONS as readonly string[]).includes(collection)) {
        fail(`initcol opens ${PERSISTENT_COLLECTIONS.join(', ').toLowerCase()}: initcol:ip=%{remote_addr}`);
      }
      break;
    }
  }
  if (action.param !== undefined) checkMacros(action.param, location, `${action.name}`);
}

export function validateActions(actions: ActionSpec[], location: SourceLocation, used: UsedNames): void {
  for (const action of actions) {
    const arity = ACTIONS[action.name];
    if (arity === undefined) throw new WafLoadError(location, `unknown action "${action.name}"`);
    if (arity === 'none' && action.param !== undefined)
      throw new WafLoadError(location, `action "${action.name}" takes no argument`);
    if (arity === 'required' && (action.param === undefined || action.param === '')) {
      throw new WafLoadError(location, `action "${action.name}" needs an argument (${action.name}:...)`);
    }
    checkActionValue(action, location);
    if (action.name === 't' && action.param !== undefined) used.transformations.add(action.param);
  }
}

function validateRule(rule: RuleSpec, used: UsedNames, isChainStart: boolean): void {
  validateVariables(rule.variables, rule.location);
  validateActions(rule.actions, rule.location, used);
  if (rule.operator) {
    if (!/^[A-Za-z][A-Za-z0-9]*$/.test(rule.operator.name)) {
      throw new WafLoadError(rule.location, `"@${rule.operator.name}" is not an operator name`);
    }
    used.operators.add(rule.operator.name);
    if (rule.operator.name !== 'rx')
      checkMacros(rule.operator.param, rule.location, `@${rule.operator.name}`);
  }
  if (isChainStart && rule.kind !== 'marker' && !rule.actions.some((action) => action.name === 'id')) {
    throw new WafLoadError(rule.location, 'the rule has no id (add id:NNNNNN)');
  }
  if (rule.chained) validateRule(rule.chained, used, false);
}

export function validateItem(item: ConfigItem, used: UsedNames): void {
  switch (item.kind) {
    case 'rule':
      validateRule(item.rule, used, true);
      return;
    case 'defaultAction':
    case 'updateActionById':
      validateActions(item.actions, item.location, used);
      if (
        item.kind === 'updateActionById' &&
        item.actions.some((action) => action.name === 'id' || action.name === 'chain')
      ) {
        throw new WafLoadError(item.location, 'SecRuleUpdateActionById cannot change "id" or "chain"');
      }
      return;
    case 'updateTargetById':
    case 'updateTargetByTag':
    case 'updateTargetByMsg':
      validateVariables(item.targets, item.location);
      return;
    default:
      return;
  }
}
