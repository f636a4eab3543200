/**
 * SQL tokenizer of the libinjection-style SQLi detector (gateway/waf/libinjection/sqli).
 *
 * It reads a byte string left to right; the class of the first byte (data.generated.ts) picks
 * a scanner, and each scanner returns the position after what it consumed and may emit a token.
 * It is deliberately forgiving: input is a fragment of a query, so unclosed strings and
 * comments run to the end, and unknown bytes become `?` tokens. The folder (fold.ts) pulls
 * tokens one at a time with next().
 */
import { charClassByByte, type CharClass } from './data.generated.js';
import { scanDollar, scanQString, scanQuoted } from './scan-strings.js';
import { emptyToken, lookupWord, SqlFlag, TOKEN_VALUE_MAX_BYTES, TokenType, type SqlToken } from './token.js';

/** Bytes that end a bare word (NUL included, as it ends a C string search). */
const WORD_END = byteSet(' []{}<>:\\?=@!#~+-*/&|^%(),\';\t\n\v\f\r"\xa0\x00');
/** Bytes that end a variable name after `@` / `@@`. */
const VARIABLE_END = byteSet(" <>:\\?=@!#~+-*/&|^%(),';\t\n\v\f\r'`\"\x00");
const WHITE = byteSet(' \t\n\v\f\r\xa0\x00');
const HEX_DIGITS = '0123456789ABCDEFabcdef';

function byteSet(chars: string): Uint8Array {
  const set = new Uint8Array(256);
  for (let i = 0; i < chars.length; i++) set[chars.charCodeAt(i)] = 1;
  return set;
}

export function isSqlWhite(code: number): boolean {
  return WHITE[code] === 1;
}

function isDigit(code: number): boolean {
  return code >= 48 && code <= 57;
}

/** Length of the run of bytes from `from` that are in `accept` (NUL always accepted, as in C). */
export function spanOf(s: string, from: number, accept: string): number {
  let i = from;
  while (i < s.length) {
    const ch = s[i] as string;
    if (ch !== '\x00' && !accept.includes(ch)) break;
    i++;
  }
  return i - from;
}

type Scanner = (t: SqlTokenizer) => number;

export class SqlTokenizer {
  pos = 0;
  /** Tokens emitted so far (comments included); the short-fingerprint checks use it. */
  tokenCount = 0;
  /** `--x` seen in ANSI mode: worth a second pass as MySQL. */
  dashDashNoSpaceComments = 0;
  /** `#` seen: a comment in MySQL, an operator in ANSI. */
  hashComments = 0;
  current: SqlToken = emptyToken();

  constructor(
    readonly input: string,
    readonly flags: number,
  ) {}

  /** Sets the current token; the value keeps at most TOKEN_VALUE_MAX_BYTES bytes. */
  emit(type: string, start: number, length: number, strOpen = '', strClose = ''): void {
    const c = this.current;
    c.type = type;
    c.pos = start;
    c.val = this.input.slice(start, start + Math.min(length, TOKEN_VALUE_MAX_BYTES));
    c.strOpen = strOpen;
    c.strClose = strClose;
  }

  /**
   * The next token, or null at the end of input. The token object is the tokenizer's own and the
   * next call rewrites it: copy it (copyToken or setToken) to keep it.
   */
  next(): SqlToken | null {
    const s = this.input;
    if (s.length === 0) return null;
    const c = this.current;
    c.type = TokenType.none;
    c.pos = 0;
    c.val = '';
    c.strOpen = '';
    c.strClose = '';
    c.count = 0;
    if (this.pos === 0 && (this.flags & (SqlFlag.quoteSingle | SqlFlag.quoteDouble)) !== 0) {
      // The input is assumed to continue a string the query already opened.
      const quote = (this.flags & SqlFlag.quoteSingle) !== 0 ? "'" : '"';
      this.pos = scanQuoted(this, 0, quote, 0);
      this.tokenCount++;
      return this.current;
    }
    while (this.pos < s.length) {
      const scanner = SCANNERS[charClassByByte[s.charCodeAt(this.pos) & 0xff] as CharClass];
      this.pos = scanner(this);
      if (this.current.type !== TokenType.none) {
        this.tokenCount++;
        return this.current;
      }
    }
    return null;
  }
}

const single =
  (type: string | null): Scanner =>
  (t) => {
    t.emit(type ?? (t.input[t.pos] as string), t.pos, 1);
    return t.pos + 1;
  };

const operator1: Scanner = single(TokenType.operator);

const operator2: Scanner = (t) => {
  const { input: s, pos } = t;
  if (pos + 1 >= s.length) return operator1(t);
  if (s.startsWith('<=>', pos)) {
    t.emit(TokenType.operator, pos, 3);
    return pos + 3;
  }
  const type = lookupWord(s.slice(pos, pos + 2));
  if (type !== '') {
    t.emit(type, pos, 2);
    return pos + 2;
  }
  if (s[pos] === ':') {
    t.emit(TokenType.colon, pos, 1);
    return pos + 1;
  }
  return operator1(t);
};

const endOfLineComment: Scanner = (t) => {
  const nl = t.input.indexOf('\n', t.pos);
  const end = nl < 0 ? t.input.length : nl;
  t.emit(TokenType.comment, t.pos, end - t.pos);
  return nl < 0 ? end : nl + 1;
};

const dash: Scanner = (t) => {
  const { input: s, pos } = t;
  if (s[pos + 1] === '-') {
    if (pos + 2 === s.length || (pos + 2 < s.length && isSqlWhite(s.charCodeAt(pos + 2)))) {
      return endOfLineComment(t);
    }
    if ((t.flags & SqlFlag.sqlAnsi) !== 0) {
      // `--x` is a comment in ANSI SQL but not in MySQL, which wants a space after `--`.
      t.dashDashNoSpaceComments++;
      return endOfLineComment(t);
    }
  }
  return operator1(t);
};

const hash: Scanner = (t) => {
  t.hashComments++;
  if ((t.flags & SqlFlag.sqlMysql) !== 0) return endOfLineComment(t);
  return operator1(t);
};

const slash: Scanner = (t) => {
  const { input: s, pos } = t;
  if (s[pos + 1] !== '*') return operator1(t);
  const close = s.indexOf('*/', pos + 2);
  const length = close < 0 ? s.length - pos : close + 2 - pos;
  let type: string = TokenType.comment;
  if (s[pos + 2] === '!') {
    // MySQL executes /*! ... */ as code.
    type = TokenType.evil;
  } else if (close >= 0) {
    // A nested comment opener: databases disagree on nesting, attackers use that.
    const nested = s.indexOf('/*', pos + 2);
    if (nested >= 0 && nested <= close + 1) type = TokenType.evil;
  }
  t.emit(type, pos, length);
  return pos + length;
};

const backslash: Scanner = (t) => {
  const { input: s, pos } = t;
  if (s[pos + 1] === 'N') {
    t.emit(TokenType.number, pos, 2);
    return pos + 2;
  }
  t.emit(TokenType.backslash, pos, 1);
  return pos + 1;
};

export const word: Scanner = (t) => {
  const { input: s, pos } = t;
  let end = pos;
  while (end < s.length && WORD_END[s.charCodeAt(end) & 0xff] !== 1) end++;
  const length = end - pos;
  t.emit(TokenType.bareword, pos, length);
  const val = t.current.val;
  // `SELECT.1`, `SELECT`x`` : a keyword glued to a dot or backtick stands alone.
  for (let i = 0; i < val.length; i++) {
    const ch = val[i];
    if (ch === '.' || ch === '`') {
      const type = lookupWord(val.slice(0, i));
      if (type !== '' && type !== TokenType.bareword) {
        t.emit(type, pos, i);
        return pos + i;
      }
    }
  }
  if (length <= TOKEN_VALUE_MAX_BYTES) t.current.type = lookupWord(val) || TokenType.bareword;
  return end;
};

const tick: Scanner = (t) => {
  const next = scanQuoted(t, t.pos, '`', 1);
  t.current.type = lookupWord(t.current.val) === TokenType.function ? TokenType.function : TokenType.bareword;
  return next;
};

const variable: Scanner = (t) => {
  const { input: s, pos } = t;
  let nameStart = pos + 1;
  let count = 1;
  if (s[nameStart] === '@') {
    nameStart++;
    count = 2;
  }
  const first = s[nameStart];
  if (first === '`' || first === "'" || first === '"') {
    // MySQL allows @`name`, @'name', @"name".
    const next = scanQuoted(t, nameStart, first, 1);
    t.current.type = TokenType.variable;
    t.current.count = count;
    return next;
  }
  let end = nameStart;
  while (end < s.length && VARIABLE_END[s.charCodeAt(end) & 0xff] !== 1) end++;
  t.emit(TokenType.variable, nameStart, end - nameStart);
  t.current.count = count;
  return end;
};

const number: Scanner = (t) => {
  const { input: s } = t;
  const start = t.pos;
  if (s[start] === '0' && start + 1 < s.length) {
    const radix = s[start + 1];
    const digits = radix === 'x' || radix === 'X' ? HEX_DIGITS : radix === 'b' || radix === 'B' ? '01' : '';
    if (digits !== '') {
      const n = spanOf(s, start + 2, digits);
      t.emit(n === 0 ? TokenType.bareword : TokenType.number, start, 2 + n);
      return start + 2 + n;
    }
  }
  let pos = start;
  while (pos < s.length && isDigit(s.charCodeAt(pos))) pos++;
  if (s[pos] === '.') {
    pos++;
    while (pos < s.length && isDigit(s.charCodeAt(pos))) pos++;
    if (pos - start === 1) {
      t.emit(TokenType.dot, start, 1);
      return pos;
    }
  }
  let hasE = false;
  let hasExponent = false;
  if (s[pos] === 'e' || s[pos] === 'E') {
    hasE = true;
    pos++;
    if (s[pos] === '+' || s[pos] === '-') pos++;
    while (pos < s.length && isDigit(s.charCodeAt(pos))) {
      pos++;
      hasExponent = true;
    }
  }
  // Oracle's float/double suffixes: 1f, 1d; `1FUNION` is 1F then UNION.
  const suffix = s[pos];
  if (suffix === 'd' || suffix === 'D' || suffix === 'f' || suffix === 'F') {
    const after = s[pos + 1];
    if (
      pos + 1 === s.length ||
      isSqlWhite(s.charCodeAt(pos + 1)) ||
      after === ';' ||
      after === 'u' ||
      after === 'U'
    ) {
      pos++;
    }
  }
  t.emit(hasE && !hasExponent ? TokenType.bareword : TokenType.number, start, pos - start);
  return pos;
};

/** `b'0101'` / `x'1F'` literals; anything else is a word. */
const prefixedLiteral =
  (digits: string): Scanner =>
  (t) => {
    const { input: s, pos } = t;
    if (pos + 2 >= s.length || s[pos + 1] !== "'") return word(t);
    const n = spanOf(s, pos + 2, digits);
    if (pos + 2 + n >= s.length || s[pos + 2 + n] !== "'") return word(t);
    t.emit(TokenType.number, pos, n + 3);
    return pos + n + 3;
  };

/** `E'...'` (PostgreSQL escape string) and `N'...'` (national string). */
const prefixedString: Scanner = (t) => {
  const { input: s, pos } = t;
  if (pos + 2 >= s.length || s[pos + 1] !== "'") return word(t);
  return scanQuoted(t, pos, "'", 2);
};

const nString: Scanner = (t) => {
  const { input: s, pos } = t;
  if (pos + 2 < s.length && s[pos + 1] === "'") return prefixedString(t);
  return scanQString(t, 1);
};

const uString: Scanner = (t) => {
  const { input: s, pos } = t;
  if (pos + 2 < s.length && s[pos + 1] === '&' && s[pos + 2] === "'") {
    const next = scanQuoted(t, pos + 2, "'", 1);
    t.current.strOpen = 'u';
    if (t.current.strClose === "'") t.current.strClose = 'u';
    return next;
  }
  return word(t);
};

const bracketWord: Scanner = (t) => {
  const { input: s, pos } = t;
  const close = s.indexOf(']', pos);
  const end = close < 0 ? s.length : close + 1;
  t.emit(TokenType.bareword, pos, end - pos);
  return end;
};

const SCANNERS: Record<CharClass, Scanner> = {
  CHAR_BACK: backslash,
  CHAR_BANG: operator2,
  CHAR_BSTRING: prefixedLiteral('01'),
  CHAR_BWORD: bracketWord,
  CHAR_COMMA: single(null),
  CHAR_DASH: dash,
  CHAR_ESTRING: prefixedString,
  CHAR_HASH: hash,
  CHAR_LEFTBRACE: single(null),
  CHAR_LEFTPARENS: single(null),
  CHAR_MONEY: scanDollar,
  CHAR_NQSTRING: nString,
  CHAR_NUM: number,
  CHAR_OP1: operator1,
  CHAR_OP2: operator2,
  CHAR_OTHER: single(TokenType.unknown),
  CHAR_QSTRING: (t) => scanQString(t, 0),
  CHAR_RIGHTBRACE: single(null),
  CHAR_RIGHTPARENS: single(null),
  CHAR_SEMICOLON: single(null),
  CHAR_SLASH: slash,
  CHAR_STR: (t) => scanQuoted(t, t.pos, t.input[t.pos] as string, 1),
  CHAR_TICK: tick,
  CHAR_UNARY: operator1,
  CHAR_USTRING: uString,
  CHAR_VAR: variable,
  CHAR_WHITE: (t) => t.pos + 1,
  CHAR_WORD: word,
  CHAR_XSTRING: prefixedLiteral(HEX_DIGITS),
};
