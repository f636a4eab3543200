/**
 * The operator registry (gateway/waf/operators): every `@operator` the engine knows, one file
 * each, listed alphabetically by SecLang name. `@detectSQLi` and `@detectXSS` live in
 * ../libinjection and join here when they land. A rule naming any other operator is a load
 * error (see `findOperator`).
 */
import type { OperatorDefinition } from '../types.js';
import { beginsWith } from './begins-with.js';
import { contains } from './contains.js';
import { containsWord } from './contains-word.js';
import { endsWith } from './ends-with.js';
import { eq } from './eq.js';
import { ge } from './ge.js';
import { gt } from './gt.js';
import { ipMatch } from './ip-match.js';
import { ipMatchFromFile } from './ip-match-from-file.js';
import { le } from './le.js';
import { lt } from './lt.js';
import { noMatch } from './no-match.js';
import { pm } from './pm.js';
import { pmFromFile } from './pm-from-file.js';
import { rx } from './rx.js';
import { streq } from './streq.js';
import { strmatch } from './strmatch.js';
import { unconditionalMatch } from './unconditional-match.js';
import { validateByteRange } from './validate-byte-range.js';
import { validateUrlEncoding } from './validate-url-encoding.js';
import { validateUtf8Encoding } from './validate-utf8-encoding.js';
import { within } from './within.js';

export { OperatorParamError } from './param.js';

export const OPERATORS: Record<string, OperatorDefinition> = {
  beginsWith,
  contains,
  containsWord,
  endsWith,
  eq,
  ge,
  gt,
  ipMatch,
  ipMatchF: ipMatchFromFile,
  ipMatchFromFile,
  le,
  lt,
  noMatch,
  pm,
  pmf: pmFromFile,
  pmFromFile,
  rx,
  streq,
  strmatch,
  unconditionalMatch,
  validateByteRange,
  validateUrlEncoding,
  validateUtf8Encoding,
  within,
};

const BY_LOWER_NAME = new Map(
  Object.entries(OPERATORS).map(([name, definition]) => [name.toLowerCase(), definition]),
);

/** Looks an operator up as ModSecurity does, ignoring case (`@RX` is `@rx`); undefined if unknown. */
export function findOperator(name: string): OperatorDefinition | undefined {
  return BY_LOWER_NAME.get(name.toLowerCase());
}
