/**
 * `t:cssDecode`: a WAF transformation (gateway/waf/transformations), run by the rule
 * engine on a value before the operator sees it.
 */
import { allocBytes, hexValue, isCSpace, isHexDigit, toByteString, x2c } from './bytes.js';

/**
 * Decodes CSS 2 escapes as ModSecurity does. `\` followed by 1-6 hex digits gives one
 * byte: one digit is its own value; otherwise the last two digits are used. With 4
 * digits (or 5-6 digits that are zero-padded 4-digit values, "\0ff01"), full-width ASCII
 * FF01-FF5E folds to 0x21-0x7E. One whitespace byte after a hex escape is swallowed.
 * `\` + newline is deleted; `\` + any other byte gives that byte; a final `\` is dropped.
 * Example: `SecRule ARGS "@rx expression\(" "id:1,t:none,t:cssDecode"`.
 */
export function cssDecode(input: string): string {
  if (input.indexOf('\\') === -1) return input;
  const n = input.length;
  const out = allocBytes(n);
  let i = 0;
  let j = 0;
  while (i < n) {
    const c = input.charCodeAt(i);
    if (c !== 0x5c) {
      out[j++] = c;
      i++;
      continue;
    }
    i++;
    if (i >= n) break;
    let digits = 0;
    while (digits < 6 && i + digits < n && isHexDigit(input.charCodeAt(i + digits))) digits++;
    if (digits === 0) {
      // "\" + newline is a line continuation; "\" + anything else is that byte.
      if (input.charCodeAt(i) !== 0x0a) out[j++] = input.charCodeAt(i);
      i++;
      continue;
    }
    out[j++] = hexEscapeByte(input, i, digits);
    i += digits;
    if (i < n && isCSpace(input.charCodeAt(i))) i++;
  }
  return toByteString(out, j);
}

function hexEscapeByte(input: string, at: number, digits: number): number {
  if (digits === 1) return hexValue(input.charCodeAt(at));
  const end = at + digits;
  const low = x2c(input.charCodeAt(end - 2), input.charCodeAt(end - 1));
  const fullWidthCandidate =
    digits === 4 ||
    (digits === 5 && input.charCodeAt(at) === 0x30) ||
    (digits === 6 && input.charCodeAt(at) === 0x30 && input.charCodeAt(at + 1) === 0x30);
  if (!fullWidthCandidate) return low;
  const highIsFF = (input.charCodeAt(end - 4) | 0x20) === 0x66 && (input.charCodeAt(end - 3) | 0x20) === 0x66;
  return highIsFF && low > 0x00 && low < 0x5f ? low + 0x20 : low;
}
