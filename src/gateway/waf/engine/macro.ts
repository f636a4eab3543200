/**
 * Macro expansion (gateway/waf/engine): `%{tx.score}`, `%{MATCHED_VAR}`, `%{rule.id}`,
 * `%{REQUEST_HEADERS.host}` in setvar, msg, logdata, ctl and operator parameters. Text is
 * parsed once at load time; expansion asks the transaction for each reference's value.
 *
 * @example expandMacro(compileMacro('score %{tx.score}'), (ref) => ref.key === 'score' ? '5' : '') // 'score 5'
 */
import type { Macro, MacroReference } from './program.js';

const MACRO_PATTERN = /%\{([^}]*)\}/g;

export function compileMacro(source: string): Macro {
  const parts: Macro['parts'] = [];
  let last = 0;
  for (const match of source.matchAll(MACRO_PATTERN)) {
    const start = match.index;
    if (start > last) parts.push(source.slice(last, start));
    parts.push(parseReference(match[1] ?? ''));
    last = start + match[0].length;
  }
  if (last < source.length) parts.push(source.slice(last));
  const hasReference = parts.some((part) => typeof part !== 'string');
  return { source, constant: hasReference ? null : source, parts };
}

function parseReference(text: string): MacroReference {
  const separator = text.search(/[.:]/);
  if (separator === -1) return { collection: text.trim().toUpperCase() };
  return { collection: text.slice(0, separator).trim().toUpperCase(), key: text.slice(separator + 1) };
}

export type MacroResolver = (reference: MacroReference) => string;

export function expandMacro(macro: Macro, resolve: MacroResolver): string {
  if (macro.constant !== null) return macro.constant;
  let out = '';
  for (const part of macro.parts) out += typeof part === 'string' ? part : resolve(part);
  return out;
}
