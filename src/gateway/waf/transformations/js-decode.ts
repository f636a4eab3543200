/**
 * `t:jsDecode`: a WAF transformation (gateway/waf/transformations), run by the rule engine
 * on a value before the operator sees it.
 */
import { allocBytes, isHexDigit, isOctalDigit, octalValue, toByteString, x2c } from './bytes.js';
import { decodeUnicodeEscape } from './url-decode-uni.js';

/** `\a \b \f \n \r \t \v`; any other escaped character stands for itself (`\'` -> `'`). */
const SIMPLE_ESCAPES: Readonly<Record<number, number>> = {
  0x61: 0x07,
  0x62: 0x08,
  0x66: 0x0c,
  0x6e: 0x0a,
  0x72: 0x0d,
  0x74: 0x09,
  0x76: 0x0b,
};

/**
 * Decodes JavaScript escapes as ModSecurity does: `\uHHHH` keeps the low byte, with
 * full-width ASCII U+FF01-U+FF5E folded to 0x21-0x7E (like `urlDecodeUni`); `\xHH`;
 * `\OOO` (one to three octal digits, only two when the first is above 3, so the value
 * fits a byte); `\a \b \f \n \r \t \v`; `\C` -> `C` for anything else. Only lowercase
 * `u` and `x` introduce escapes. An invalid `\u`/`\x` sequence loses just its backslash
 * ("\u00zz" -> "u00zz"); a final lone backslash stays.
 * Example: `SecRule ARGS "@rx alert\(" "id:1,t:none,t:jsDecode"`.
 */
export function jsDecode(input: string): string {
  if (input.indexOf('\\') === -1) return input;
  const n = input.length;
  const out = allocBytes(n);
  let i = 0;
  let j = 0;
  while (i < n) {
    const c = input.charCodeAt(i);
    if (c !== 0x5c || i + 1 >= n) {
      out[j++] = c;
      i++;
      continue;
    }
    const next = input.charCodeAt(i + 1);
    if (
      next === 0x75 &&
      i + 5 < n &&
      isHexDigit(input.charCodeAt(i + 2)) &&
      isHexDigit(input.charCodeAt(i + 3)) &&
      isHexDigit(input.charCodeAt(i + 4)) &&
      isHexDigit(input.charCodeAt(i + 5))
    ) {
      out[j++] = decodeUnicodeEscape(input, i + 2);
      i += 6;
    } else if (
      next === 0x78 &&
      i + 3 < n &&
      isHexDigit(input.charCodeAt(i + 2)) &&
      isHexDigit(input.charCodeAt(i + 3))
    ) {
      out[j++] = x2c(input.charCodeAt(i + 2), input.charCodeAt(i + 3));
      i += 4;
    } else if (isOctalDigit(next)) {
      let digits = 1;
      while (digits < 3 && i + 1 + digits < n && isOctalDigit(input.charCodeAt(i + 1 + digits))) digits++;
      // Three digits starting above '3' would exceed a byte: ModSecurity then takes two.
      if (digits === 3 && next > 0x33) digits = 2;
      out[j++] = octalValue(input, i + 1, digits);
      i += 1 + digits;
    } else {
      out[j++] = SIMPLE_ESCAPES[next] ?? next;
      i += 2;
    }
  }
  return toByteString(out, j);
}
