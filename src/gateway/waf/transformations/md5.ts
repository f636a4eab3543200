/**
 * `t:md5`: a WAF transformation (gateway/waf/transformations), run by the rule engine on
 * a value before the operator sees it.
 */
import { createHash } from 'node:crypto';

import { fromByteString } from './bytes.js';

/**
 * The raw 16-byte MD5 digest as a byte string (not hex; chain `t:hexEncode` for text).
 * Example: `SecRule ARGS:token "@streq ..." "id:1,t:md5,t:hexEncode"`.
 */
export function md5(input: string): string {
  return createHash('md5').update(fromByteString(input)).digest().toString('latin1');
}
