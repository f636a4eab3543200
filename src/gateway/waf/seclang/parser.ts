/**
 * SecLang parser (gateway/waf/seclang): directives from the lexer -> typed config items. Rules
 * (SecRule, SecAction, SecMarker) become RuleSpecs with their chain; update/remove directives
 * get their ids and targets parsed; settings are validated. An unsupported directive is a
 * WafLoadError with file:line. Names are checked against the vocabulary by the loader
 * (validate.ts), which also sees the whole rule set.
 *
 * @example parseSecLang('SecRule ARGS "@rx a" "id:1,phase:2,deny"', 'inline.conf')
 */
import { parseActions } from './actions.js';
import { WafLoadError } from './errors.js';
import { lexSecLang } from './lexer.js';
import { isSettingDirective, parseSetting } from './settings.js';
import { parseVariables } from './variables.js';
import { canonicalDirectiveName } from './vocabulary.js';
import type { ConfigItem, IdRange, IncludeItem } from './model.js';
import type { Directive, OperatorSpec, RuleSpec, SourceLocation } from '../types.js';

/** Lexes a file and checks every directive name; names come back in canonical spelling. */
export function parseDirectives(source: string, file: string): Directive[] {
  return lexSecLang(source, file).map((directive) => {
    const name = canonicalDirectiveName(directive.name);
    if (name === undefined) {
      throw new WafLoadError(directive.location, `unsupported directive "${directive.name}"`);
    }
    return { ...directive, name };
  });
}

/** `@rx a|b` -> rx, `!@within x y` -> negated within, `^foo` (no `@`) -> rx. */
export function parseOperator(text: string): OperatorSpec {
  let rest = text;
  let negated = false;
  if (rest.startsWith('!')) {
    negated = true;
    rest = rest.slice(1);
  }
  if (!rest.startsWith('@')) return { name: 'rx', param: rest, negated };
  const match = /^@([A-Za-z0-9_]*)(?:[ \t]([\s\S]*))?$/.exec(rest);
  if (!match) return { name: rest.slice(1), param: '', negated };
  return { name: match[1] ?? '', param: match[2] ?? '', negated };
}

function expectArgs(directive: Directive, min: number, max: number, usage: string): void {
  const count = directive.args.length;
  if (count < min || count > max) {
    throw new WafLoadError(
      directive.location,
      `${directive.name} expects ${usage}, got ${count} argument(s)`,
    );
  }
}

/** One SecRule / SecAction / SecMarker, without its chain. */
export function parseRule(directive: Directive): RuleSpec {
  const { args, location } = directive;
  switch (directive.name) {
    case 'SecRule': {
      expectArgs(directive, 2, 3, 'VARIABLES "OPERATOR" ["ACTIONS"]');
      return {
        kind: 'rule',
        variables: parseVariables(args[0] ?? '', location),
        operator: parseOperator(args[1] ?? ''),
        actions: args[2] === undefined ? [] : parseActions(args[2], location),
        location,
      };
    }
    case 'SecAction':
      expectArgs(directive, 1, 1, '"ACTIONS"');
      return {
        kind: 'action',
        variables: [],
        operator: null,
        actions: parseActions(args[0] ?? '', location),
        location,
      };
    case 'SecMarker':
      expectArgs(directive, 1, 1, 'one LABEL');
      if ((args[0] ?? '').trim() === '')
        throw new WafLoadError(location, 'SecMarker needs a non-empty label');
      return { kind: 'marker', variables: [], operator: null, actions: [], location, marker: args[0] ?? '' };
    default:
      throw new WafLoadError(location, `${directive.name} is not a rule directive`);
  }
}

/** `920100`, `920100-920199`, several separated by blanks or commas. */
export function parseIdRanges(texts: string[], location: SourceLocation): IdRange[] {
  const ranges: IdRange[] = [];
  for (const word of texts.flatMap((text) => text.split(/[\s,]+/)).filter((part) => part !== '')) {
    const match = /^([0-9]{1,10})(?:-([0-9]{1,10}))?$/.exec(word);
    if (!match)
      throw new WafLoadError(location, `"${word}" is not a rule id or an id range (e.g. 920100-920199)`);
    const from = Number(match[1]);
    const to = match[2] === undefined ? from : Number(match[2]);
    if (to < from) throw new WafLoadError(location, `the id range "${word}" ends before it starts`);
    ranges.push({ from, to });
  }
  if (ranges.length === 0) throw new WafLoadError(location, 'a rule id or an id range is expected');
  return ranges;
}

/** CRS chains hold at most 3 rules; the cap keeps recursive walks over a chain shallow. */
const MAX_CHAIN_LINKS = 64;
const DISRUPTIVE = new Set(['allow', 'block', 'deny', 'drop', 'pass', 'redirect']);
const hasAction = (rule: RuleSpec, name: string): boolean =>
  rule.actions.some((action) => action.name === name);

function checkChainLink(rule: RuleSpec): void {
  for (const action of rule.actions) {
    if (action.name === 'id' || action.name === 'phase' || DISRUPTIVE.has(action.name)) {
      throw new WafLoadError(
        rule.location,
        `a chained rule cannot carry "${action.name}"; put it on the chain's first rule`,
      );
    }
  }
}

function parseOther(directive: Directive): ConfigItem | IncludeItem {
  const { args, location, name } = directive;
  switch (name) {
    case 'Include':
      expectArgs(directive, 1, 1, 'one PATH or glob');
      return { kind: 'include', pattern: args[0] ?? '', location };
    case 'SecDefaultAction': {
      expectArgs(directive, 1, 1, '"ACTIONS"');
      const actions = parseActions(args[0] ?? '', location);
      if (!actions.some((action) => action.name === 'phase')) {
        throw new WafLoadError(
          location,
          'SecDefaultAction must name its phase (e.g. "phase:2,log,auditlog,pass")',
        );
      }
      const forbidden = actions.find((action) => ['id', 'chain', 'skip', 'skipAfter'].includes(action.name));
      if (forbidden) throw new WafLoadError(location, `SecDefaultAction cannot carry "${forbidden.name}"`);
      return { kind: 'defaultAction', actions, location };
    }
    case 'SecRuleRemoveById':
      expectArgs(directive, 1, 1000, 'ID or ID-ID ...');
      return { kind: 'removeById', ranges: parseIdRanges(args, location), location };
    case 'SecRuleRemoveByTag':
      expectArgs(directive, 1, 1, 'one TAG');
      return { kind: 'removeByTag', tag: args[0] ?? '', location };
    case 'SecRuleRemoveByMsg':
      expectArgs(directive, 1, 1, 'one MSG');
      return { kind: 'removeByMsg', msg: args[0] ?? '', location };
    case 'SecRuleUpdateTargetById':
    case 'SecRuleUpdateTargetByTag':
    case 'SecRuleUpdateTargetByMsg': {
      expectArgs(directive, 2, 2, 'SELECTOR "TARGETS" (target replacement is not supported)');
      const targets = parseVariables(args[1] ?? '', location);
      if (name === 'SecRuleUpdateTargetById') {
        return {
          kind: 'updateTargetById',
          ranges: parseIdRanges([args[0] ?? ''], location),
          targets,
          location,
        };
      }
      if (name === 'SecRuleUpdateTargetByTag')
        return { kind: 'updateTargetByTag', tag: args[0] ?? '', targets, location };
      return { kind: 'updateTargetByMsg', msg: args[0] ?? '', targets, location };
    }
    case 'SecRuleUpdateActionById':
      expectArgs(directive, 2, 2, 'ID "ACTIONS"');
      return {
        kind: 'updateActionById',
        ranges: parseIdRanges([args[0] ?? ''], location),
        actions: parseActions(args[1] ?? '', location),
        location,
      };
    default:
      if (isSettingDirective(name)) return parseSetting(directive);
      throw new WafLoadError(location, `unsupported directive "${name}"`);
  }
}

/** Typed items of one file, chains assembled; Includes are left for the loader. */
export function parseConfigItems(directives: Directive[]): Array<ConfigItem | IncludeItem> {
  const items: Array<ConfigItem | IncludeItem> = [];
  let openChain: RuleSpec | null = null;
  let chainLinks = 0;
  for (const directive of directives) {
    const isRule = ['SecRule', 'SecAction', 'SecMarker'].includes(directive.name);
    if (openChain !== null) {
      if (directive.name !== 'SecRule') {
        throw new WafLoadError(
          openChain.location,
          `the rule has "chain" but is followed by ${directive.name}, not SecRule`,
        );
      }
      const link = parseRule(directive);
      checkChainLink(link);
      openChain.chained = link;
      chainLinks++;
      if (chainLinks > MAX_CHAIN_LINKS) {
        throw new WafLoadError(link.location, `a chain may hold at most ${MAX_CHAIN_LINKS} chained rules`);
      }
      openChain = hasAction(link, 'chain') ? link : null;
      continue;
    }
    if (!isRule) {
      items.push(parseOther(directive));
      continue;
    }
    const rule = parseRule(directive);
    items.push({ kind: 'rule', rule });
    if (hasAction(rule, 'chain')) {
      if (rule.kind !== 'rule')
        throw new WafLoadError(rule.location, `${directive.name} cannot start a chain`);
      openChain = rule;
      chainLinks = 0;
    }
  }
  if (openChain !== null) {
    throw new WafLoadError(openChain.location, 'the rule has "chain" but no SecRule follows it in this file');
  }
  return items;
}

/** Lex + parse one file's text. */
export function parseSecLang(source: string, file: string): Array<ConfigItem | IncludeItem> {
  return parseConfigItems(parseDirectives(source, file));
}
