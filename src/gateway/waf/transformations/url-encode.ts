/**
 * `t:urlEncode`: a WAF transformation (gateway/waf/transformations), run by the rule
 * engine on a value before the operator sees it.
 */
import { allocBytes, toByteString } from './bytes.js';

const HEX_DIGITS = '0123456789abcdef';

/**
 * Percent-encodes every byte except A-Z, a-z, 0-9 and `*`, with lowercase hex; a space
 * becomes `+` (ModSecurity's set, narrower than RFC 3986's unreserved characters).
 * Example: `SecRule ARGS "@contains %3c" "id:1,t:urlEncode"`.
 */
export function urlEncode(input: string): string {
  const out = allocBytes(input.length * 3);
  let j = 0;
  for (let i = 0; i < input.length; i++) {
    const c = input.charCodeAt(i) & 0xff;
    if (c === 0x20) {
      out[j++] = 0x2b;
    } else if (
      c === 0x2a ||
      (c >= 0x30 && c <= 0x39) ||
      (c >= 0x41 && c <= 0x5a) ||
      (c >= 0x61 && c <= 0x7a)
    ) {
      out[j++] = c;
    } else {
      out[j++] = 0x25;
      out[j++] = HEX_DIGITS.charCodeAt(c >> 4);
      out[j++] = HEX_DIGITS.charCodeAt(c & 0x0f);
    }
  }
  return toByteString(out, j);
}
