/**
 * Token folding of the libinjection-style SQLi detector (gateway/waf/libinjection/sqli).
 *
 * Folding shrinks the token stream so that equivalent SQL gives the same short fingerprint:
 * leading comments, `(` and unary operators are skipped; `1+2` becomes `1`; `"a" "b"` becomes
 * `"a"`; words that form multi-word keywords (`UNION ALL`, `NOT IN`) merge; unary operators
 * vanish. Rules look at two, then three tokens at `left`; any rule that fires rewinds and tries
 * again, so folds chain. At most five tokens (sometimes a sixth, to decide the fifth) are kept.
 * Comments are dropped except a trailing one, which is put back when there is room.
 */
import { foldPair } from './fold-pairs.js';
import { foldTriple } from './fold-triples.js';
import { copyToken, isUnaryOperator, MAX_TOKENS, TokenType as T, type SqlToken } from './token.js';
import type { SqlTokenizer } from './tokenizer.js';

/** The working state shared with the rule files. */
export interface FoldState {
  tokens: SqlToken[];
  /** Where the next token goes. */
  pos: number;
  /** Tokens before this index are settled. */
  left: number;
}

/** What a rule did: nothing, or it changed the state and the loop must re-examine. */
export type FoldOutcome = 'none' | 'again' | { stopAt: number };

function isSkippedAtStart(token: SqlToken): boolean {
  return (
    token.type === T.comment ||
    token.type === T.leftParens ||
    token.type === T.sqlType ||
    isUnaryOperator(token)
  );
}

/**
 * Four token patterns that are safe to restart after, so long inputs keep folding: the types
 * each of the five tokens may have.
 */
const RESTART_PATTERNS: ReadonlyArray<ReadonlyArray<readonly string[]>> = [
  [[T.number], [T.operator, T.comma], [T.leftParens], [T.number], [T.rightParens]],
  [[T.bareword], [T.operator], [T.leftParens], [T.bareword, T.number], [T.rightParens]],
  [[T.number], [T.rightParens], [T.comma], [T.leftParens], [T.number]],
  [[T.bareword], [T.rightParens], [T.operator], [T.leftParens], [T.bareword]],
];

function restartsAfterFive(v: SqlToken[]): boolean {
  return RESTART_PATTERNS.some((pattern) =>
    pattern.every((types, i) => v[i] !== undefined && types.includes(v[i].type)),
  );
}

/** Folds the tokenizer's stream; returns the kept tokens (at most MAX_TOKENS). */
export function foldTokens(tokenizer: SqlTokenizer): SqlToken[] {
  const st: FoldState = { tokens: [], pos: 0, left: 0 };
  let lastComment: SqlToken | null = null;
  let more = true;

  let first: SqlToken | null = null;
  do {
    first = tokenizer.next();
  } while (first !== null && isSkippedAtStart(first));
  if (first === null) return [];
  st.tokens[0] = copyToken(first);
  st.pos = 1;

  /** Pulls tokens until `count` are available from `left`; comments are held aside. */
  const fill = (count: number): void => {
    while (more && st.pos <= MAX_TOKENS && st.pos - st.left < count) {
      const token = tokenizer.next();
      if (token === null) {
        more = false;
      } else if (token.type === T.comment) {
        lastComment = copyToken(token);
      } else {
        lastComment = null;
        st.tokens[st.pos] = copyToken(token);
        st.pos++;
      }
    }
  };

  for (;;) {
    if (st.pos >= MAX_TOKENS && restartsAfterFive(st.tokens)) {
      if (st.pos > MAX_TOKENS) {
        st.tokens[1] = copyToken(st.tokens[MAX_TOKENS] as SqlToken);
        st.pos = 2;
      } else {
        st.pos = 1;
      }
      st.left = 0;
    }
    if (!more || st.left >= MAX_TOKENS) {
      st.left = st.pos;
      break;
    }

    fill(2);
    if (st.pos - st.left < 2) {
      st.left = st.pos;
      continue;
    }
    const pair = foldPair(st);
    if (typeof pair === 'object') return st.tokens.slice(0, pair.stopAt);
    if (pair === 'again') continue;

    fill(3);
    if (st.pos - st.left < 3) {
      st.left = st.pos;
      continue;
    }
    if (foldTriple(st) === 'again') continue;
    st.left++;
  }

  const kept = st.tokens.slice(0, Math.min(st.left, MAX_TOKENS + 1));
  const trailing = lastComment as SqlToken | null;
  if (kept.length < MAX_TOKENS && trailing !== null) kept.push(trailing);
  return kept.slice(0, MAX_TOKENS);
}
