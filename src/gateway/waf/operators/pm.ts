/**
 * `@pm` (gateway/waf/operators): case-insensitive match of any of the space-separated phrases
 * in the parameter, one pass for all (Aho-Corasick). As ModSecurity's parser, `|hex|` spans
 * give raw bytes (`|3c 3f|`), a backslash escapes the next character, and surrounding
 * double quotes are dropped. With `capture`, TX:0 is the phrase found.
 *
 * @example SecRule REQUEST_HEADERS:Content-Encoding "@pm gzip compress deflate" "id:1,phase:1,pass"
 */
import type { OperatorDefinition, OperatorMatcher } from '../types.js';
import { AhoCorasick } from './aho-corasick.js';
import { OperatorParamError } from './param.js';

/** Decodes `|hex|` spans and backslash escapes, then splits on whitespace. */
export function parsePmPhrases(param: string, operator = 'pm'): string[] {
  let text = param;
  if (text.length > 1 && text.startsWith('"') && text.endsWith('"')) text = text.slice(1, -1);
  let decoded = '';
  let inHex = false;
  let hexDigits = '';
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (ch === '|') {
      if (inHex && hexDigits !== '')
        throw new OperatorParamError(operator, `odd number of hex digits in |...|`);
      inHex = !inHex;
    } else if (inHex) {
      if (ch === ' ') continue;
      if (!/[0-9A-Fa-f]/.test(ch))
        throw new OperatorParamError(operator, `"${ch}" is not a hex digit in |...|`);
      hexDigits += ch;
      if (hexDigits.length === 2) {
        decoded += String.fromCharCode(parseInt(hexDigits, 16));
        hexDigits = '';
      }
    } else if (ch === '\\' && i + 1 < text.length) {
      decoded += text[++i];
    } else decoded += ch;
  }
  if (inHex) throw new OperatorParamError(operator, 'unterminated |hex| span');
  return decoded.split(/[\t\n\v\f\r ]+/).filter((phrase) => phrase !== '');
}

export function phraseMatcher(automaton: AhoCorasick): OperatorMatcher {
  return (value, context) => {
    const found = automaton.search(value);
    if (found === null) return false;
    if (context.capture) context.setCapture(0, found);
    return true;
  };
}

export const pm: OperatorDefinition = {
  compile(param) {
    const phrases = parsePmPhrases(param);
    if (phrases.length === 0) throw new OperatorParamError('pm', 'no phrases given');
    return phraseMatcher(new AhoCorasick(phrases));
  },
  // The phrases themselves: a value without any of them cannot match (see pm-from-file.ts).
  requiredLiterals(param) {
    const phrases = parsePmPhrases(param);
    return phrases.length === 0 ? null : phrases;
  },
};
