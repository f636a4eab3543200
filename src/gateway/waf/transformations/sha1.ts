/**
 * `t:sha1`: a WAF transformation (gateway/waf/transformations), run by the rule engine on
 * a value before the operator sees it. CRS uses it with `t:hexEncode` in 901xxx.
 */
import { createHash } from 'node:crypto';

import { fromByteString } from './bytes.js';

/**
 * The raw 20-byte SHA-1 digest as a byte string (not hex; chain `t:hexEncode` for text).
 * Example: `SecAction "id:1,setvar:tx.ua_hash=%{REQUEST_HEADERS.User-Agent},t:sha1,t:hexEncode"`.
 */
export function sha1(input: string): string {
  return createHash('sha1').update(fromByteString(input)).digest().toString('latin1');
}
