/**
 * SecLang actions (gateway/waf/seclang): splits the action list of a SecRule / SecAction /
 * SecDefaultAction / SecRuleUpdateActionById into ActionSpecs, and gives structure to the two
 * actions whose argument is a small language of its own: `ctl:` and `setvar:`.
 *
 * The list is split on commas outside single quotes; `\'` inside quotes is a quote. A value
 * wholly in single quotes loses them: `msg:'a, b'` -> `a, b`, `setvar:'tx.x=+%{tx.y}'`
 * -> `tx.x=+%{tx.y}`. Action names are case-insensitive and returned in their canonical
 * spelling when the vocabulary knows them (unknown names are left for the loader to reject).
 *
 * @example parseActions("id:1,phase:2,t:none,msg:'a, b',ctl:ruleRemoveTargetById=9;ARGS:x", loc)
 */
import { WafLoadError } from './errors.js';
import { canonicalActionName, canonicalCtlOption } from './vocabulary.js';
import { parseVariables } from './variables.js';
import type { ActionSpec, SourceLocation, VariableSelector } from '../types.js';

export function parseActions(text: string, location: SourceLocation): ActionSpec[] {
  const pieces: string[] = [];
  let current = '';
  let inQuote = false;
  for (let position = 0; position < text.length; position++) {
    const char = text[position] ?? '';
    if (char === '\\' && position + 1 < text.length) {
      current += char + (text[position + 1] ?? '');
      position++;
    } else if (char === "'") {
      inQuote = !inQuote;
      current += char;
    } else if (char === ',' && !inQuote) {
      pieces.push(current);
      current = '';
    } else {
      current += char;
    }
  }
  if (inQuote) throw new WafLoadError(location, `unterminated ' in the action list "${text}"`);
  pieces.push(current);
  const actions: ActionSpec[] = [];
  pieces.forEach((piece, index) => {
    const trimmed = piece.trim();
    if (trimmed === '') {
      // A trailing comma is harmless; an empty action in the middle is a typo worth reporting.
      if (index === pieces.length - 1 && index > 0) return;
      throw new WafLoadError(location, `empty action in the action list "${text}"`);
    }
    actions.push(parseOneAction(trimmed, location));
  });
  return actions;
}

function parseOneAction(text: string, location: SourceLocation): ActionSpec {
  const colon = text.indexOf(':');
  const rawName = (colon === -1 ? text : text.slice(0, colon)).trim();
  if (!/^[A-Za-z][A-Za-z0-9_]*$/.test(rawName)) {
    throw new WafLoadError(location, `invalid action "${text}": an action name is expected`);
  }
  const name = canonicalActionName(rawName) ?? rawName;
  if (colon === -1) return { name };
  return { name, param: unquoteValue(text.slice(colon + 1).trim(), text, location) };
}

function unquoteValue(value: string, action: string, location: SourceLocation): string {
  if (!value.startsWith("'")) return value;
  if (value.length < 2 || !value.endsWith("'") || value.endsWith("\\'")) {
    throw new WafLoadError(location, `invalid action "${action}": text after the closing quote`);
  }
  const inner = value.slice(1, -1);
  if (/(^|[^\\])'/.test(inner)) {
    throw new WafLoadError(location, `invalid action "${action}": text after the closing quote`);
  }
  return inner.replace(/\\'/g, "'");
}

/** `ctl:option=value`, the option in canonical spelling when known. */
export interface CtlSpec {
  option: string;
  value: string;
}

export function parseCtl(param: string, location: SourceLocation): CtlSpec {
  const equals = param.indexOf('=');
  if (equals <= 0) throw new WafLoadError(location, `invalid ctl "${param}": expected ctl:option=value`);
  const rawOption = param.slice(0, equals).trim();
  return { option: canonicalCtlOption(rawOption) ?? rawOption, value: param.slice(equals + 1).trim() };
}

/** The value of ctl:ruleRemoveTargetById/ByTag/ByMsg: `920450;REQUEST_HEADERS:foo|ARGS:bar`. */
export interface CtlTargetRemoval {
  /** The id (or range `a-b`), tag or msg before the `;`. */
  selector: string;
  targets: VariableSelector[];
}

export function parseCtlTargetRemoval(value: string, location: SourceLocation): CtlTargetRemoval {
  const semicolon = value.indexOf(';');
  if (semicolon <= 0 || semicolon === value.length - 1) {
    throw new WafLoadError(location, `invalid ctl value "${value}": expected SELECTOR;TARGETS`);
  }
  return {
    selector: value.slice(0, semicolon).trim(),
    targets: parseVariables(value.slice(semicolon + 1).trim(), location),
  };
}

/** `setvar:tx.a=1`, `setvar:tx.a=+%{tx.b}`, `setvar:tx.a=-1`, `setvar:!tx.a`, `setvar:tx.a`. */
export interface SetvarSpec {
  /** Upper case: `TX`, `IP`, ... */
  collection: string;
  /** As written; may contain macros (`%{rule.id}`). */
  key: string;
  operation: 'set' | 'increment' | 'decrement' | 'delete';
  /** Absent when no `=` was written (ModSecurity then sets the variable without a value). */
  value?: string;
}

export function parseSetvar(param: string, location: SourceLocation): SetvarSpec {
  let text = param.trim();
  const remove = text.startsWith('!');
  if (remove) text = text.slice(1);
  const equals = text.indexOf('=');
  const target = equals === -1 ? text : text.slice(0, equals);
  const dot = target.indexOf('.');
  if (dot <= 0 || dot === target.length - 1) {
    throw new WafLoadError(location, `invalid setvar "${param}": expected collection.name[=value]`);
  }
  const collection = target.slice(0, dot).toUpperCase();
  const key = target.slice(dot + 1);
  if (remove) {
    if (equals !== -1)
      throw new WafLoadError(location, `invalid setvar "${param}": a deletion takes no value`);
    return { collection, key, operation: 'delete' };
  }
  if (equals === -1) return { collection, key, operation: 'set' };
  const raw = text.slice(equals + 1);
  if (raw.startsWith('+')) return { collection, key, operation: 'increment', value: raw.slice(1) };
  if (raw.startsWith('-')) return { collection, key, operation: 'decrement', value: raw.slice(1) };
  return { collection, key, operation: 'set', value: raw };
}
