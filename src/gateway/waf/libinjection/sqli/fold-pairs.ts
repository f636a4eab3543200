/**
 * Two-token folding rules (gateway/waf/libinjection/sqli, used by fold.ts). Each rule looks at
 * the tokens at `left` and `left + 1`; when it rewrites the state it returns 'again' so the
 * folder re-examines from the (possibly rewound) position.
 */
import type { FoldOutcome, FoldState } from './fold.js';
import {
  asciiUpper,
  isArithmeticOperator,
  isUnaryOperator,
  lookupWord,
  mayBeKeyword,
  setToken,
  TOKEN_VALUE_MAX_BYTES,
} from './token.js';
import { TokenType as T, type SqlToken } from './token.js';

/** Words that are functions when a `(` follows, and plain names (or variables) otherwise. */
const FUNCTION_WHEN_CALLED = new Set([
  'USER_ID',
  'USER_NAME',
  'DATABASE',
  'PASSWORD',
  'USER',
  'CURRENT_USER',
  'CURRENT_DATE',
  'CURRENT_TIME',
  'CURRENT_TIMESTAMP',
  'LOCALTIME',
  'LOCALTIMESTAMP',
]);

const MERGE_FIRST = new Set<string>([
  T.keyword,
  T.bareword,
  T.operator,
  T.union,
  T.function,
  T.expression,
  T.tsql,
  T.sqlType,
]);
const MERGE_SECOND = new Set<string>([...MERGE_FIRST, T.logicOperator]);
const AFTER_SQLTYPE_DROPPED = new Set<string>([
  T.bareword,
  T.number,
  T.sqlType,
  T.leftParens,
  T.function,
  T.variable,
  T.string,
]);

/** `UNION` + `ALL` -> `UNION ALL` when the pair is itself a keyword. */
function mergeWords(a: SqlToken, b: SqlToken): boolean {
  if (!MERGE_FIRST.has(a.type) || !MERGE_SECOND.has(b.type)) return false;
  // Most pairs are too long to be a keyword: build the merged word only when it could be one.
  const length = a.val.length + 1 + b.val.length;
  if (length > TOKEN_VALUE_MAX_BYTES || !mayBeKeyword(length)) return false;
  const merged = `${a.val} ${b.val}`;
  const type = lookupWord(merged);
  if (type === '') return false;
  a.type = type;
  a.val = merged;
  return true;
}

/**
 * Drops the newest token. Usually that is `left + 1`; after a rewind (left = 0) it is the last
 * one pulled, exactly as libinjection's folder behaves, which the fingerprints depend on.
 */
/** True when the token's value is one of two words, ignoring ASCII case. */
function isWord(t: SqlToken, one: string, other: string): boolean {
  const n = t.val.length;
  if (n !== one.length && n !== other.length) return false;
  const upper = asciiUpper(t.val);
  return upper === one || upper === other;
}

function dropSecond(st: FoldState): void {
  st.pos--;
}

export function foldPair(st: FoldState): FoldOutcome {
  const { left } = st;
  const a = st.tokens[left] as SqlToken;
  const b = st.tokens[left + 1] as SqlToken;

  // "a" "b" is one string in SQL; `;;` is one statement end.
  if ((a.type === T.string && b.type === T.string) || (a.type === T.semicolon && b.type === T.semicolon)) {
    dropSecond(st);
    return 'again';
  }
  if ((a.type === T.operator || a.type === T.logicOperator) && (isUnaryOperator(b) || b.type === T.sqlType)) {
    dropSecond(st);
    st.left = 0;
    return 'again';
  }
  if ((a.type === T.leftParens && isUnaryOperator(b)) || mergeWords(a, b)) {
    dropSecond(st);
    if (st.left > 0) st.left--;
    return 'again';
  }
  if (
    a.type === T.semicolon &&
    b.type === T.function &&
    b.val.length >= 2 &&
    asciiUpper(b.val.slice(0, 2)) === 'IF'
  ) {
    // T-SQL's control-flow IF after a statement end, not the IF() function.
    b.type = T.tsql;
    return 'again';
  }
  // The upper-cased value only matters to the next three rules; most tokens reach none of them.
  if (
    (a.type === T.bareword || a.type === T.variable) &&
    b.type === T.leftParens &&
    FUNCTION_WHEN_CALLED.has(asciiUpper(a.val))
  ) {
    a.type = T.function;
    return 'again';
  }
  if (a.type === T.keyword && isWord(a, 'IN', 'NOT IN')) {
    // `x IN (...)` compares; `IN BOOLEAN MODE` is just words.
    a.type = b.type === T.leftParens ? T.operator : T.bareword;
    return 'again';
  }
  if (a.type === T.operator && isWord(a, 'LIKE', 'NOT LIKE')) {
    if (b.type === T.leftParens) a.type = T.function;
    return 'none';
  }
  if (a.type === T.sqlType && AFTER_SQLTYPE_DROPPED.has(b.type)) {
    setToken(a, b);
    dropSecond(st);
    st.left = 0;
    return 'again';
  }
  if (a.type === T.collate && b.type === T.bareword) {
    // Too many collations to list: one with an underscore is taken as a type name.
    if (b.val.includes('_')) {
      b.type = T.sqlType;
      st.left = 0;
    }
    return 'none';
  }
  if (a.type === T.backslash) {
    // T-SQL reads `\%1` as `0 % 1` and `\1` as `1`.
    if (isArithmeticOperator(b)) {
      a.type = T.number;
    } else {
      setToken(a, b);
      dropSecond(st);
    }
    st.left = 0;
    return 'again';
  }
  if (
    (a.type === T.leftParens && b.type === T.leftParens) ||
    (a.type === T.rightParens && b.type === T.rightParens)
  ) {
    dropSecond(st);
    st.left = 0;
    return 'again';
  }
  if (a.type === T.leftBrace && b.type === T.bareword) {
    // MySQL's `{ ``.``.id }` is a magic identifier form: flag an empty name as evil.
    if (b.val.length === 0) {
      b.type = T.evil;
      return { stopAt: left + 2 };
    }
    // ODBC `{foo expr}` means expr: strip `{ foo`.
    st.left = 0;
    st.pos -= 2;
    return 'again';
  }
  if (b.type === T.rightBrace) {
    dropSecond(st);
    st.left = 0;
    return 'again';
  }
  return 'none';
}
