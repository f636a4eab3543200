/**
 * Three-token folding rules (gateway/waf/libinjection/sqli, used by fold.ts): arithmetic and
 * lists collapse to one value (`1+1` -> `1`, `a,b` -> `a`), unary operators after keywords
 * and commas vanish, `db.table` becomes one name, and `USER(x)` is not the USER() function.
 */
import type { FoldOutcome, FoldState } from './fold.js';
import { asciiUpper, isUnaryOperator, setToken, TokenType as T, type SqlToken } from './token.js';

const VALUE = new Set<string>([T.bareword, T.number, T.variable, T.string]);

/** Keeps `a`, drops the two newest tokens. */
function collapse(st: FoldState): FoldOutcome {
  st.pos -= 2;
  st.left = 0;
  return 'again';
}

/** Replaces `b` by `c` (drops a unary operator). */
function dropMiddle(st: FoldState, b: SqlToken, c: SqlToken): FoldOutcome {
  setToken(b, c);
  st.pos -= 1;
  st.left = 0;
  return 'again';
}

export function foldTriple(st: FoldState): FoldOutcome {
  const { left } = st;
  const a = st.tokens[left] as SqlToken;
  const b = st.tokens[left + 1] as SqlToken;
  const c = st.tokens[left + 2] as SqlToken;

  if (a.type === T.number && b.type === T.operator && c.type === T.number) return collapse(st);
  if (a.type === T.operator && b.type !== T.leftParens && c.type === T.operator) return collapse(st);
  if (a.type === T.logicOperator && c.type === T.logicOperator) return collapse(st);
  if (
    a.type === T.variable &&
    b.type === T.operator &&
    (c.type === T.variable || c.type === T.number || c.type === T.bareword)
  ) {
    return collapse(st);
  }
  if (
    (a.type === T.bareword || a.type === T.number) &&
    b.type === T.operator &&
    (c.type === T.number || c.type === T.bareword)
  ) {
    return collapse(st);
  }
  if (VALUE.has(a.type) && b.type === T.operator && b.val === '::' && c.type === T.sqlType)
    return collapse(st);
  if (VALUE.has(a.type) && b.type === T.comma && VALUE.has(c.type)) return collapse(st);
  if (
    (a.type === T.expression || a.type === T.group || a.type === T.comma) &&
    isUnaryOperator(b) &&
    c.type === T.leftParens
  ) {
    return dropMiddle(st, b, c);
  }
  if (
    (a.type === T.keyword || a.type === T.expression || a.type === T.group) &&
    isUnaryOperator(b) &&
    (VALUE.has(c.type) || c.type === T.function)
  ) {
    return dropMiddle(st, b, c);
  }
  if (a.type === T.comma && isUnaryOperator(b) && VALUE.has(c.type)) {
    // `1,-1` -> `1,1`, then back up three so `1,1` can fold to `1`.
    setToken(b, c);
    st.left = 0;
    st.pos -= 3;
    return 'again';
  }
  if (a.type === T.comma && isUnaryOperator(b) && c.type === T.function) return dropMiddle(st, b, c);
  if (a.type === T.bareword && b.type === T.dot && c.type === T.bareword) return collapse(st);
  if (a.type === T.expression && b.type === T.dot && c.type === T.bareword) return dropMiddle(st, b, c);
  if (a.type === T.function && b.type === T.leftParens && c.type !== T.rightParens) {
    // USER() takes no argument: `user(x)` is a column or table called user.
    if (asciiUpper(a.val) === 'USER') a.type = T.bareword;
  }
  return 'none';
}
