/**
 * `t:urlDecodeUni`: a WAF transformation (gateway/waf/transformations), run by the rule
 * engine on a value before the operator sees it. CRS's most used decoder.
 */
import { allocBytes, hexValue, isHexDigit, toByteString, x2c } from './bytes.js';

/**
 * A code point -> byte table, as ModSecurity builds from `SecUnicodeMapFile` (index = code
 * point 0-0xFFFF, value = byte, or -1 for "no mapping").
 */
export type UnicodeMap = ArrayLike<number>;

/**
 * Builds `urlDecodeUni`, optionally with a unicode map (ModSecurity consults one only
 * when `SecUnicodeMapFile` is configured; CRS alone does not need it).
 */
export function createUrlDecodeUni(unicodeMap?: UnicodeMap): (input: string) => string {
  return (input) => decodeUni(input, unicodeMap);
}

/**
 * Decodes `%HH`, `%uHHHH` (IIS style) and `+` (space). For `%uHHHH` the low byte is kept
 * ("%u0141" -> "A"), except that full-width ASCII U+FF01-U+FF5E folds to 0x21-0x7E
 * ("%uff1c" -> "<"). Invalid or truncated sequences stay as they are: a bad `%uHHHH`
 * keeps "%u" and decoding resumes after it ("%u00zz" -> "%u00zz").
 * Example: `SecRule ARGS "@rx <script" "id:1,t:none,t:urlDecodeUni"`.
 */
export const urlDecodeUni: (input: string) => string = createUrlDecodeUni();

function decodeUni(input: string, unicodeMap: UnicodeMap | undefined): string {
  if (input.indexOf('%') === -1 && input.indexOf('+') === -1) return input;
  const n = input.length;
  const out = allocBytes(n);
  let i = 0;
  let j = 0;
  while (i < n) {
    const c = input.charCodeAt(i);
    if (c !== 0x25) {
      out[j++] = c === 0x2b ? 0x20 : c;
      i++;
      continue;
    }
    const next = i + 1 < n ? input.charCodeAt(i + 1) : -1;
    if (next === 0x75 || next === 0x55) {
      if (i + 5 < n && isHex4(input, i + 2)) {
        out[j++] = decodeUnicodeEscape(input, i + 2, unicodeMap);
        i += 6;
      } else {
        out[j++] = c;
        out[j++] = next;
        i += 2;
      }
    } else if (i + 2 < n && isHexDigit(next) && isHexDigit(input.charCodeAt(i + 2))) {
      out[j++] = x2c(next, input.charCodeAt(i + 2));
      i += 3;
    } else {
      out[j++] = c;
      i++;
    }
  }
  return toByteString(out, j);
}

function isHex4(input: string, at: number): boolean {
  return (
    isHexDigit(input.charCodeAt(at)) &&
    isHexDigit(input.charCodeAt(at + 1)) &&
    isHexDigit(input.charCodeAt(at + 2)) &&
    isHexDigit(input.charCodeAt(at + 3))
  );
}

/** The byte for four hex digits at `at` (already validated). Shared with jsDecode. */
export function decodeUnicodeEscape(input: string, at: number, unicodeMap?: UnicodeMap): number {
  if (unicodeMap !== undefined) {
    let codePoint = 0;
    for (let k = 0; k < 4; k++) codePoint = codePoint * 16 + hexValue(input.charCodeAt(at + k));
    const mapped = unicodeMap[codePoint];
    if (mapped !== undefined && mapped >= 0) return mapped & 0xff;
  }
  const low = x2c(input.charCodeAt(at + 2), input.charCodeAt(at + 3));
  const highIsFF = (input.charCodeAt(at) | 0x20) === 0x66 && (input.charCodeAt(at + 1) | 0x20) === 0x66;
  return highIsFF && low > 0x00 && low < 0x5f ? low + 0x20 : low;
}
