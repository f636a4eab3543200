/**
 * SQL token model of the libinjection-style SQLi detector (gateway/waf/libinjection/sqli).
 * The tokenizer produces these, the folder rewrites them, and the fingerprint is the string of
 * their one-character types. Values are byte strings (latin1), as everywhere in the WAF.
 */
import { keywordTypes } from './data.generated.js';

/** Token types, named and lettered as libinjection names them. */
export const TokenType = {
  none: '',
  keyword: 'k',
  union: 'U',
  group: 'B',
  expression: 'E',
  sqlType: 't',
  function: 'f',
  bareword: 'n',
  number: '1',
  variable: 'v',
  string: 's',
  operator: 'o',
  logicOperator: '&',
  comment: 'c',
  collate: 'A',
  leftParens: '(',
  rightParens: ')',
  leftBrace: '{',
  rightBrace: '}',
  dot: '.',
  comma: ',',
  colon: ':',
  semicolon: ';',
  tsql: 'T',
  unknown: '?',
  evil: 'X',
  backslash: '\\',
} as const;

/** Parse modes: where the input is assumed to sit in the query, and which comment dialect applies. */
export const SqlFlag = {
  quoteNone: 1,
  quoteSingle: 2,
  quoteDouble: 4,
  sqlAnsi: 8,
  sqlMysql: 16,
} as const;

/** libinjection keeps at most 31 bytes of a token's value (a 32-byte C buffer). */
export const TOKEN_VALUE_MAX_BYTES = 31;
/** A fingerprint has at most five tokens. */
export const MAX_TOKENS = 5;

export interface SqlToken {
  /** One of TokenType's letters; '' for "no token yet". */
  type: string;
  /** Offset in the input where the token starts. */
  pos: number;
  /** The value, cut to TOKEN_VALUE_MAX_BYTES. */
  val: string;
  /** The opening quote of a string ('' when the input started inside the string). */
  strOpen: string;
  /** The closing quote ('' when the string runs to the end of input). */
  strClose: string;
  /** Number of `@` in front of a variable. */
  count: number;
}

export function emptyToken(): SqlToken {
  return { type: '', pos: 0, val: '', strOpen: '', strClose: '', count: 0 };
}

export function copyToken(from: SqlToken): SqlToken {
  return { ...from };
}

/** Copies `from` into `to`, field by field: the folder keeps its tokens in reused slots. */
export function setToken(to: SqlToken, from: SqlToken): void {
  to.type = from.type;
  to.pos = from.pos;
  to.val = from.val;
  to.strOpen = from.strOpen;
  to.strClose = from.strClose;
  to.count = from.count;
}

function isAscii(text: string): boolean {
  for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) > 0x7f) return false;
  return true;
}

/** Upper-cases ASCII letters only: libinjection compares bytes, not Unicode letters. */
export function asciiUpper(text: string): string {
  // toUpperCase is exact on ASCII and far faster than a per-letter replace; only text with
  // other bytes (where it would also change e.g. 'é' or 'ß') takes the slow path.
  if (isAscii(text)) return text.toUpperCase();
  return text.replace(/[a-z]+/g, (m) => m.toUpperCase());
}

let longestKeyword = 0;
/** The table again with lower-case keys: most words in requests are lower case, and need no upper-cased copy. */
const lowerKeywordTypes = new Map<string, string>();
for (const [keyword, type] of keywordTypes) {
  longestKeyword = Math.max(longestKeyword, keyword.length);
  lowerKeywordTypes.set(keyword.toLowerCase(), type);
}

/** Which ASCII letter cases a word holds: bit 1 upper, bit 2 lower. */
function letterCases(word: string): number {
  let cases = 0;
  for (let i = 0; i < word.length; i++) {
    const code = word.charCodeAt(i);
    if (code >= 65 && code <= 90) cases |= 1;
    else if (code >= 97 && code <= 122) cases |= 2;
  }
  return cases;
}

/** False when no keyword is this long: a word that long needs no lookup (nor its upper case). */
export function mayBeKeyword(length: number): boolean {
  return length <= longestKeyword;
}

/** Keyword type of a word (case-insensitive), or '' when the word is not in the table. */
export function lookupWord(word: string): string {
  // No keyword is longer than longestKeyword: a long word (a 1 KB value) is never upper-cased.
  if (!mayBeKeyword(word.length)) return '';
  // Keywords are ASCII, so a one-case word is looked up as it is; only mixed case is copied.
  const cases = letterCases(word);
  if (cases === 3) return keywordTypes.get(asciiUpper(word)) ?? '';
  return (cases === 2 ? lowerKeywordTypes : keywordTypes).get(word) ?? '';
}

export function isUnaryOperator(token: SqlToken): boolean {
  if (token.type !== TokenType.operator) return false;
  const v = token.val;
  if (v.length === 1) return v === '+' || v === '-' || v === '!' || v === '~';
  if (v.length === 2) return v === '!!';
  return v.length === 3 && asciiUpper(v) === 'NOT';
}

export function isArithmeticOperator(token: SqlToken): boolean {
  return token.type === TokenType.operator && token.val.length === 1 && '*/-+%'.includes(token.val);
}

/** Renders a token as libinjection's test vectors print it: `type value`, strings with quotes. */
export function formatToken(token: SqlToken): string {
  let text = token.val;
  if (token.type === TokenType.string || token.type === TokenType.variable) {
    text = token.strOpen + text + token.strClose;
  }
  if (token.type === TokenType.variable) text = '@'.repeat(token.count) + text;
  return `${token.type} ${text}`;
}
