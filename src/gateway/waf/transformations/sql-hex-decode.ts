/**
 * `t:sqlHexDecode`: a WAF transformation (gateway/waf/transformations), run by the rule
 * engine on a value before the operator sees it.
 */
import { allocBytes, isHexDigit, toByteString, x2c } from './bytes.js';

/**
 * Decodes SQL hex literals: `0x` / `0X` followed by at least two hex digits becomes the
 * bytes of its digit pairs ("0x414243" -> "ABC"); an odd last digit stays as text
 * ("0x414" -> "A4"). Everything else is copied. Example:
 * `SecRule ARGS "@contains union" "id:1,t:sqlHexDecode,t:lowercase"`.
 */
export function sqlHexDecode(input: string): string {
  if (input.indexOf('0x') === -1 && input.indexOf('0X') === -1) return input;
  const n = input.length;
  const out = allocBytes(n);
  let i = 0;
  let j = 0;
  while (i < n) {
    const c = input.charCodeAt(i);
    if (
      c === 0x30 &&
      i + 3 < n &&
      (input.charCodeAt(i + 1) | 0x20) === 0x78 &&
      isHexDigit(input.charCodeAt(i + 2)) &&
      isHexDigit(input.charCodeAt(i + 3))
    ) {
      i += 2;
      while (i + 1 < n && isHexDigit(input.charCodeAt(i)) && isHexDigit(input.charCodeAt(i + 1))) {
        out[j++] = x2c(input.charCodeAt(i), input.charCodeAt(i + 1));
        i += 2;
      }
    } else {
      out[j++] = c;
      i++;
    }
  }
  return toByteString(out, j);
}
