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
import { emptyToken, isUnaryOperator, MAX_TOKENS, setToken, TokenType as T, type SqlToken } from './token.js';
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

/**
 * The folder's working state, one per thread and reused from call to call: a fold allocates no
 * token (about 1 KB less garbage per detectSqli pass, and a form runs some 80 passes). Its token
 * slots are what foldTokens returns, valid until its next call.
 */
class Folder implements FoldState {
  readonly tokens: SqlToken[] = Array.from({ length: MAX_TOKENS + 1 }, emptyToken);
  pos = 0;
  left = 0;
  /** The last comment pulled, held aside; `hasComment` says whether it is still the latest token. */
  readonly comment: SqlToken = emptyToken();
  hasComment = false;
  more = true;
  tokenizer: SqlTokenizer | null = null;

  /** Pulls tokens until `count` are available from `left`; comments are held aside. */
  fill(count: number): void {
    const tokenizer = this.tokenizer as SqlTokenizer;
    while (this.more && this.pos <= MAX_TOKENS && this.pos - this.left < count) {
      const token = tokenizer.next();
      if (token === null) {
        this.more = false;
      } else if (token.type === T.comment) {
        setToken(this.comment, token);
        this.hasComment = true;
      } else {
        this.hasComment = false;
        setToken(this.tokens[this.pos] as SqlToken, token);
        this.pos++;
      }
    }
  }
}

const folder = new Folder();

/**
 * Folds the tokenizer's stream; returns the kept tokens (at most MAX_TOKENS). The tokens are the
 * folder's own: read them before the next call, or copy them (copyToken).
 */
export function foldTokens(tokenizer: SqlTokenizer): SqlToken[] {
  const st = folder;
  let first: SqlToken | null = null;
  do {
    first = tokenizer.next();
  } while (first !== null && isSkippedAtStart(first));
  if (first === null) return [];
  st.tokenizer = tokenizer;
  st.more = true;
  st.hasComment = false;
  st.left = 0;
  setToken(st.tokens[0] as SqlToken, first);
  st.pos = 1;
  try {
    return fold(st);
  } finally {
    st.tokenizer = null;
  }
}

function fold(st: Folder): SqlToken[] {
  for (;;) {
    if (st.pos >= MAX_TOKENS && restartsAfterFive(st.tokens)) {
      if (st.pos > MAX_TOKENS) {
        setToken(st.tokens[1] as SqlToken, st.tokens[MAX_TOKENS] as SqlToken);
        st.pos = 2;
      } else {
        st.pos = 1;
      }
      st.left = 0;
    }
    if (!st.more || st.left >= MAX_TOKENS) {
      st.left = st.pos;
      break;
    }

    st.fill(2);
    if (st.pos - st.left < 2) {
      st.left = st.pos;
      continue;
    }
    const pair = foldPair(st);
    if (typeof pair === 'object') return st.tokens.slice(0, pair.stopAt);
    if (pair === 'again') continue;

    st.fill(3);
    if (st.pos - st.left < 3) {
      st.left = st.pos;
      continue;
    }
    if (foldTriple(st) === 'again') continue;
    st.left++;
  }

  const kept = st.tokens.slice(0, Math.min(st.left, MAX_TOKENS + 1));
  if (kept.length < MAX_TOKENS && st.hasComment) kept.push(st.comment);
  return kept.slice(0, MAX_TOKENS);
}
