/**
 * String scanners of the SQL tokenizer (gateway/waf/libinjection/sqli): quoted strings with
 * backslash and doubled-quote escapes, Oracle q'[...]' strings and PostgreSQL $tag$ strings.
 * Each sets the tokenizer's current token and returns the position after the string.
 */
import type { SqlTokenizer } from './tokenizer.js';
import { word } from './tokenizer.js';
import { TokenType } from './token.js';

const DOLLAR_TAG_LETTERS = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ';

/** True when the quote at `quoteAt` follows an odd run of backslashes (within the string body). */
function isBackslashEscaped(s: string, quoteAt: number, bodyStart: number): boolean {
  let n = 0;
  for (let i = quoteAt - 1; i >= bodyStart && s[i] === '\\'; i--) n++;
  return n % 2 === 1;
}

/**
 * A string delimited by `quote`, its body starting at pos + offset (offset 0: the input began
 * inside the string, so there is no opening quote). Unclosed strings run to the end.
 */
export function scanQuoted(t: SqlTokenizer, pos: number, quote: string, offset: number): number {
  const s = t.input;
  const bodyStart = pos + offset;
  const open = offset > 0 ? quote : '';
  let at = s.indexOf(quote, bodyStart);
  for (;;) {
    if (at < 0) {
      t.emit(TokenType.string, bodyStart, s.length - bodyStart, open, '');
      return s.length;
    }
    if (isBackslashEscaped(s, at, bodyStart)) {
      at = s.indexOf(quote, at + 1);
    } else if (s[at + 1] === quote) {
      at = s.indexOf(quote, at + 2);
    } else {
      t.emit(TokenType.string, bodyStart, at - bodyStart, open, quote);
      return at + 1;
    }
  }
}

/** Oracle `q'Xtext X'` (and `nq'...'` with offset 1); anything else is a word. */
export function scanQString(t: SqlTokenizer, offset: number): number {
  const s = t.input;
  const pos = t.pos + offset;
  if (pos + 2 >= s.length || (s[pos] !== 'q' && s[pos] !== 'Q') || s[pos + 1] !== "'") return word(t);
  let delim = s[pos + 2] as string;
  if (delim.charCodeAt(0) <= 32) return word(t);
  const closers: Record<string, string> = { '(': ')', '[': ']', '{': '}', '<': '>' };
  delim = closers[delim] ?? delim;
  const bodyStart = pos + 3;
  const end = s.indexOf(delim + "'", bodyStart);
  if (end < 0) {
    t.emit(TokenType.string, bodyStart, s.length - bodyStart, 'q', '');
    return s.length;
  }
  t.emit(TokenType.string, bodyStart, end - bodyStart, 'q', 'q');
  return end + 2;
}

/** `$1.00` money, `$$text$$` and `$tag$text$tag$` dollar-quoted strings, or a lone `$`. */
export function scanDollar(t: SqlTokenizer): number {
  const s = t.input;
  const pos = t.pos;
  if (pos + 1 === s.length) {
    t.emit(TokenType.bareword, pos, 1);
    return s.length;
  }
  const moneyLength = spanMoney(s, pos + 1);
  if (moneyLength === 1 && s[pos + 1] === '.') return word(t);
  if (moneyLength > 0) {
    t.emit(TokenType.number, pos, 1 + moneyLength);
    return pos + 1 + moneyLength;
  }
  if (s[pos + 1] === '$') {
    const bodyStart = pos + 2;
    const end = s.indexOf('$$', bodyStart);
    if (end < 0) {
      t.emit(TokenType.string, bodyStart, s.length - bodyStart, '$', '');
      return s.length;
    }
    t.emit(TokenType.string, bodyStart, end - bodyStart, '$', '$');
    return end + 2;
  }
  let tagLength = 0;
  while (pos + 1 + tagLength < s.length && DOLLAR_TAG_LETTERS.includes(s[pos + 1 + tagLength] as string))
    tagLength++;
  if (tagLength === 0 || s[pos + 1 + tagLength] !== '$') {
    t.emit(TokenType.bareword, pos, 1);
    return pos + 1;
  }
  const tag = s.slice(pos, pos + tagLength + 2);
  const bodyStart = pos + tagLength + 2;
  const end = s.indexOf(tag, bodyStart);
  if (end < 0) {
    t.emit(TokenType.string, bodyStart, s.length - bodyStart, '$', '');
    return s.length;
  }
  t.emit(TokenType.string, bodyStart, end - bodyStart, '$', '$');
  return end + tag.length;
}

function spanMoney(s: string, from: number): number {
  let i = from;
  while (i < s.length && '0123456789.,\x00'.includes(s[i] as string)) i++;
  return i - from;
}
