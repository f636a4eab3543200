/**
 * `t:base64Encode`: a WAF transformation (gateway/waf/transformations), run by the rule
 * engine on a value before the operator sees it.
 */
import { fromByteString } from './bytes.js';

/**
 * Standard Base64 (RFC 4648 alphabet, `=` padding, no line breaks).
 * Example: `SecRule ARGS "@streq YWRtaW4=" "id:1,t:base64Encode"`.
 */
export function base64Encode(input: string): string {
  return fromByteString(input).toString('base64');
}
