/**
 * SQLi decision of the libinjection-style detector (gateway/waf/libinjection/sqli).
 *
 * The input is tokenized and folded as if it sat in three places of a query: as is, right after
 * an opening single quote, and right after an opening double quote; each pass in ANSI SQL, with
 * a MySQL re-run when the ANSI pass met MySQL-only comments (`#`, `--x`). A pass flags SQLi when
 * its fingerprint (the token types, at most five) is in libinjection's list and the short
 * fingerprint checks below do not clear it as ordinary text.
 */
import { fingerprintSet } from './data.generated.js';
import { foldTokens } from './fold.js';
import { asciiUpper, SqlFlag, TokenType as T, type SqlToken } from './token.js';
import { SqlTokenizer } from './tokenizer.js';

export interface SqliResult {
  isInjection: boolean;
  /** Fingerprint of the pass that decided (or of the last pass when none matched). */
  fingerprint: string;
}

export interface FingerprintPass {
  fingerprint: string;
  tokens: SqlToken[];
  tokenizer: SqlTokenizer;
}

/** Tokenizes and folds `input` under `flags` and returns its fingerprint. */
export function fingerprintOf(input: string, flags: number): FingerprintPass {
  const tokenizer = new SqlTokenizer(input, flags);
  const tokens = foldTokens(tokenizer);
  const last = tokens[tokens.length - 1];
  // PHP-style "`" left open at the end is a comment trick: `1 union select `
  if (
    tokens.length > 2 &&
    last &&
    last.type === T.bareword &&
    last.strOpen === '`' &&
    last.val === '' &&
    last.strClose === ''
  ) {
    last.type = T.comment;
  }
  let fingerprint = '';
  for (let i = 0; i < tokens.length; i++) fingerprint += tokens[i]!.type;
  if (fingerprint.includes(T.evil)) {
    fingerprint = T.evil;
    tokens.splice(0, tokens.length, {
      type: T.evil,
      pos: 0,
      val: T.evil,
      strOpen: '',
      strClose: '',
      count: 0,
    });
  }
  return { fingerprint, tokens, tokenizer };
}

/** Short fingerprints also occur in normal text; these checks keep the ones that look like SQL. */
function isNotOrdinaryText(pass: FingerprintPass, input: string): boolean {
  const { fingerprint: fp, tokens, tokenizer } = pass;
  const [t0, t1, t2] = tokens as [SqlToken, SqlToken, SqlToken];
  if (fp.length > 1 && fp.endsWith(T.comment) && input.includes('sp_password')) return true;

  if (fp.length === 2) {
    if (fp[1] === T.union) {
      // `1 union` alone is common text; only folding or comments around it make it SQLi.
      return tokenizer.tokenCount !== 2;
    }
    if (t1.val.startsWith('#')) return false;
    if (t0.type === T.bareword && t1.type === T.comment && !t1.val.startsWith('/')) return false;
    if (t0.type === T.number && t1.type === T.comment) {
      if (t1.val.startsWith('/')) return true;
      if (tokenizer.tokenCount > 2) return true;
      const after = input.charCodeAt(t0.val.length) || 0;
      if (after <= 32) return true;
      const next = input[t0.val.length + 1];
      if (after === 0x2f && next === '*') return true;
      if (after === 0x2d && next === '-') return true;
      return false;
    }
    // `foo--bar` is text; a scan ends with `--`.
    if (t1.val.length > 2 && t1.val.startsWith('-')) return false;
    return true;
  }

  if (fp.length === 3) {
    if (fp === 'sos' || fp === 's&s') {
      // `...foo' + 'bar...`: the quotes pair up across the input.
      return t0.strOpen === '' && t2.strClose === '' && t0.strClose === t2.strOpen;
    }
    if (fp === 's&n' || fp === 'n&1' || fp === '1&1' || fp === '1&v' || fp === '1&s') {
      // `sexy and 17` is text; `sexy and 17<18` is not.
      return tokenizer.tokenCount !== 3;
    }
    if (t1.type === T.keyword) {
      // Only INTO OUTFILE / INTO DUMPFILE make `x keyword y` dangerous.
      return t1.val.length >= 5 && asciiUpper(t1.val.slice(0, 4)) === 'INTO';
    }
  }
  return true;
}

function isSqliPass(pass: FingerprintPass, input: string): boolean {
  if (pass.fingerprint.length === 0 || !fingerprintSet.has(asciiUpper(pass.fingerprint))) return false;
  return isNotOrdinaryText(pass, input);
}

/** The MySQL re-run is only worth it when the ANSI pass met MySQL-specific comment syntax. */
function wantsMysqlPass(pass: FingerprintPass): boolean {
  return pass.tokenizer.dashDashNoSpaceComments > 0 || pass.tokenizer.hashComments > 0;
}

/** The contexts libinjection tries, in order: as is, then inside a '...' or "..." string when the input holds that quote. */
const CONTEXTS: ReadonlyArray<{ quote: number; needs: string; ansiFirst: boolean }> = [
  { quote: SqlFlag.quoteNone, needs: '', ansiFirst: true },
  { quote: SqlFlag.quoteSingle, needs: "'", ansiFirst: true },
  { quote: SqlFlag.quoteDouble, needs: '"', ansiFirst: false },
];

/**
 * Detects SQL injection in a byte string, as libinjection's libinjection_sqli() does.
 *
 * @example detectSqli("1' OR '1'='1") // { isInjection: true, fingerprint: 's&sos' }
 */
export function detectSqli(input: string): SqliResult {
  if (input.length === 0) return { isInjection: false, fingerprint: '' };
  let fingerprint = '';
  for (const ctx of CONTEXTS) {
    if (ctx.needs !== '' && !input.includes(ctx.needs)) continue;
    const first = fingerprintOf(input, ctx.quote | (ctx.ansiFirst ? SqlFlag.sqlAnsi : SqlFlag.sqlMysql));
    fingerprint = first.fingerprint;
    if (isSqliPass(first, input)) return { isInjection: true, fingerprint };
    if (ctx.ansiFirst && wantsMysqlPass(first)) {
      const mysql = fingerprintOf(input, ctx.quote | SqlFlag.sqlMysql);
      fingerprint = mysql.fingerprint;
      if (isSqliPass(mysql, input)) return { isInjection: true, fingerprint };
    }
  }
  return { isInjection: false, fingerprint };
}
