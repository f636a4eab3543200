/**
 * `t:hexEncode`: a WAF transformation (gateway/waf/transformations), run by the rule
 * engine on a value before the operator sees it.
 */
import { fromByteString } from './bytes.js';

/**
 * Each byte as two lowercase hex digits ("A\xff" -> "41ff").
 * Example: `SecRule ARGS "@contains 00" "id:1,t:hexEncode"`.
 */
export function hexEncode(input: string): string {
  return fromByteString(input).toString('hex');
}
