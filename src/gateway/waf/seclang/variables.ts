/**
 * SecLang rule targets (gateway/waf/seclang): parses the first argument of a SecRule, or a
 * target list of SecRuleUpdateTargetById / ctl:ruleRemoveTargetById, into VariableSelectors.
 *
 * Syntax: `SEL|SEL|...` where SEL is `[!|&]NAME[:KEY]`; KEY is a name (`ARGS:id`), a regex
 * between slashes (`REQUEST_COOKIES:/^__utm/`, which may itself contain `|`), a single-quoted
 * name (`ARGS:'a b'`), or for XML an XPath expression (`XML:/*`, never a regex).
 * Names are case-insensitive in SecLang; we return them upper case.
 *
 * @example parseVariables('REQUEST_HEADERS:User-Agent|!REQUEST_COOKIES:/^_ga/|&ARGS', loc)
 */
import { WafLoadError } from './errors.js';
import type { SourceLocation, VariableSelector } from '../types.js';

const NAME_CHAR = /[A-Za-z0-9_]/;

export function parseVariables(text: string, location: SourceLocation): VariableSelector[] {
  const selectors: VariableSelector[] = [];
  let position = 0;
  const fail = (reason: string): never => {
    throw new WafLoadError(location, `invalid target list "${text}": ${reason}`);
  };
  for (;;) {
    while (text[position] === ' ' || text[position] === '\t') position++;
    const selector: VariableSelector = { collection: '' };
    if (text[position] === '!') {
      selector.exclude = true;
      position++;
    }
    if (text[position] === '&') {
      selector.count = true;
      position++;
    }
    const nameStart = position;
    while (position < text.length && NAME_CHAR.test(text[position] ?? '')) position++;
    if (position === nameStart) fail(`a variable name is expected at offset ${position}`);
    selector.collection = text.slice(nameStart, position).toUpperCase();
    if (text[position] === ':') {
      position = readKey(text, position + 1, selector, fail);
    }
    selectors.push(selector);
    while (text[position] === ' ' || text[position] === '\t') position++;
    if (position >= text.length) break;
    if (text[position] !== '|') fail(`"|" expected at offset ${position}`);
    position++;
  }
  return selectors;
}

/** Reads the key after `NAME:` into the selector; returns the position after it. */
function readKey(
  text: string,
  start: number,
  selector: VariableSelector,
  fail: (reason: string) => never,
): number {
  let position = start;
  const first = text[position];
  if (selector.collection !== 'XML' && (first === '/' || first === "'")) {
    const closing = first;
    position++;
    let inner = '';
    while (position < text.length && text[position] !== closing) {
      if (text[position] === '\\' && position + 1 < text.length) {
        // A regex keeps its escapes; a quoted name only loses the backslash before its quote.
        const next = text[position + 1] ?? '';
        inner += closing === "'" && next === "'" ? next : `\\${next}`;
        position += 2;
        continue;
      }
      inner += text[position];
      position++;
    }
    if (position >= text.length) fail(`unterminated ${closing} in the key of ${selector.collection}`);
    position++;
    if (closing === '/' || (inner.length >= 2 && inner.startsWith('/') && inner.endsWith('/'))) {
      selector.key = closing === '/' ? inner : inner.slice(1, -1);
      selector.keyIsRegex = true;
    } else {
      selector.key = inner;
    }
  } else {
    const keyStart = position;
    while (position < text.length && text[position] !== '|') position++;
    selector.key = text.slice(keyStart, position).trimEnd();
  }
  if (selector.key === '' && !selector.keyIsRegex) fail(`empty key after ${selector.collection}:`);
  return position;
}

/** Writes a selector back in SecLang syntax (error messages, logs). */
export function formatVariable(selector: VariableSelector): string {
  const prefix = (selector.exclude ? '!' : '') + (selector.count ? '&' : '');
  if (selector.key === undefined) return prefix + selector.collection;
  const key = selector.keyIsRegex ? `/${selector.key}/` : selector.key;
  return `${prefix}${selector.collection}:${key}`;
}
