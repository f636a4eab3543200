/**
 * `t:hexDecode`: a WAF transformation (gateway/waf/transformations), run by the rule
 * engine on a value before the operator sees it.
 */
import { allocBytes, toByteString, x2c } from './bytes.js';

/**
 * Decodes pairs of characters as hex bytes, as ModSecurity does: without validating them
 * (a non-hex pair still yields a byte, by ModSecurity's `x2c` arithmetic) and dropping a
 * final odd character ("414" -> "A"). Example: `SecRule ARGS:h "@contains <" "id:1,t:hexDecode"`.
 */
export function hexDecode(input: string): string {
  const pairs = input.length >> 1;
  const out = allocBytes(pairs);
  for (let p = 0; p < pairs; p++) {
    out[p] = x2c(input.charCodeAt(2 * p), input.charCodeAt(2 * p + 1));
  }
  return toByteString(out, pairs);
}
