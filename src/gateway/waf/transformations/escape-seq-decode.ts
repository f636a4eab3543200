/**
 * `t:escapeSeqDecode`: a WAF transformation (gateway/waf/transformations), run by the
 * rule engine on a value before the operator sees it.
 */
import { allocBytes, isHexDigit, isOctalDigit, octalValue, toByteString, x2c } from './bytes.js';

/** ANSI C single-character escapes. */
const C_ESCAPES: Readonly<Record<number, number>> = {
  0x61: 0x07, // \a
  0x62: 0x08, // \b
  0x66: 0x0c, // \f
  0x6e: 0x0a, // \n
  0x72: 0x0d, // \r
  0x74: 0x09, // \t
  0x76: 0x0b, // \v
  0x5c: 0x5c, // \\
  0x3f: 0x3f, // \?
  0x27: 0x27, // \'
  0x22: 0x22, // \"
};

/**
 * Decodes ANSI C escapes: `\a \b \f \n \r \t \v \\ \? \' \"`, `\xHH` / `\XHH` (exactly two
 * hex digits) and `\O` to `\OOO` (octal, wrapped to a byte: "\666" -> 0xB6). Any other
 * `\C`, including an incomplete `\x`, loses the backslash ("\8" -> "8", "\xg" -> "xg");
 * a final lone backslash stays. Example: `SecRule ARGS "@rx \n" "id:1,t:escapeSeqDecode"`.
 */
export function escapeSeqDecode(input: string): string {
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
    const simple = C_ESCAPES[next];
    if (simple !== undefined) {
      out[j++] = simple;
      i += 2;
    } else if (
      (next | 0x20) === 0x78 &&
      i + 3 < n &&
      isHexDigit(input.charCodeAt(i + 2)) &&
      isHexDigit(input.charCodeAt(i + 3))
    ) {
      out[j++] = x2c(input.charCodeAt(i + 2), input.charCodeAt(i + 3));
      i += 4;
    } else if (isOctalDigit(next)) {
      let digits = 1;
      while (digits < 3 && i + 1 + digits < n && isOctalDigit(input.charCodeAt(i + 1 + digits))) digits++;
      out[j++] = octalValue(input, i + 1, digits) & 0xff;
      i += 1 + digits;
    } else {
      out[j++] = next;
      i += 2;
    }
  }
  return toByteString(out, j);
}
