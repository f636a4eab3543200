/**
 * `t:urlDecode`: a WAF transformation (gateway/waf/transformations), run by the rule
 * engine on a value before the operator sees it.
 */
import { allocBytes, isHexDigit, toByteString, x2c } from './bytes.js';

/**
 * Decodes `%HH` and turns `+` into a space. A `%` not followed by two hex digits (or too
 * close to the end) stays as it is, and decoding goes on after it ("%%41" -> "%A"). No
 * `%uHHHH` (see `urlDecodeUni`). Example: `SecRule REQUEST_URI_RAW "@contains <" "id:1,t:urlDecode"`.
 */
export function urlDecode(input: string): string {
  return percentDecode(input, true);
}

/**
 * The decoding behind `urlDecode`, with `+` left alone when `plusIsSpace` is false (ModSecurity's
 * uri_decode for the request line). The request parser decodes every argument with it too.
 */
export function percentDecode(input: string, plusIsSpace: boolean): string {
  if (input.indexOf('%') === -1 && (!plusIsSpace || input.indexOf('+') === -1)) return input;
  const n = input.length;
  const out = allocBytes(n);
  let i = 0;
  let j = 0;
  while (i < n) {
    const c = input.charCodeAt(i);
    if (c === 0x25 && i + 2 < n) {
      const high = input.charCodeAt(i + 1);
      const low = input.charCodeAt(i + 2);
      if (isHexDigit(high) && isHexDigit(low)) {
        out[j++] = x2c(high, low);
        i += 3;
        continue;
      }
    }
    out[j++] = c === 0x2b && plusIsSpace ? 0x20 : c;
    i++;
  }
  return toByteString(out, j);
}
