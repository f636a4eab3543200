/**
 * libinjection-style SQLi detector (gateway/waf/libinjection/sqli): the public entry points.
 * `@detectSQLi` (../operators.ts) calls detectSqli on each transformed value.
 */
export { detectSqli, fingerprintOf, type SqliResult } from './detect.js';
export { foldTokens } from './fold.js';
export { SqlTokenizer } from './tokenizer.js';
export { formatToken, SqlFlag, TokenType, type SqlToken } from './token.js';
