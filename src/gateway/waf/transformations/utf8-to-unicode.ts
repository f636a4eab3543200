/**
 * `t:utf8toUnicode`: a WAF transformation (gateway/waf/transformations), run by the rule
 * engine on a value before the operator sees it. CRS runs it before matching against
 * %u-encoded patterns.
 */
import { allocBytes, toByteString } from './bytes.js';

/** Bytes the fast path must look at: NUL (dropped) and everything >= 0x80. */
const NEEDS_WORK = /[\0\x80-\uffff]/;

/**
 * Writes each well-formed multi-byte UTF-8 sequence as `%u` + at least four lowercase hex
 * digits of its code point ("é" = C3 A9 -> "%u00e9", U+1F600 -> "%u1f600"). As in
 * ModSecurity v3:
 * - ASCII stays, except 0x00, which is dropped (ModSecurity works on a C string);
 * - a lead byte (C0-F7) without its continuation bytes is DROPPED, and the bytes after it
 *   are read again on their own; stray continuation bytes (80-BF) and F8-FF stay as is;
 * - overlong forms and surrogates (D800-DFFF) are still written as `%u...`, followed by
 *   the raw lead byte; a lead byte F5-F7 is written raw before its `%u...`.
 * Example: `SecRule ARGS "@contains %u003c" "id:1,t:none,t:utf8toUnicode"`.
 */
export function utf8toUnicode(input: string): string {
  if (!NEEDS_WORK.test(input)) return input;
  const n = input.length;
  // Worst case: a 2-byte overlong sequence becomes 7 bytes ("%u0000" + lead).
  const out = allocBytes(n * 4 + 16);
  let j = 0;
  const isContinuation = (at: number): boolean => at < n && (input.charCodeAt(at) & 0xc0) === 0x80;
  const payload = (at: number): number => input.charCodeAt(at) & 0x3f;

  let i = 0;
  while (i < n) {
    const lead = input.charCodeAt(i) & 0xff;
    if (lead < 0x80) {
      if (lead !== 0) out[j++] = lead;
      i++;
      continue;
    }
    let sequenceLength = 0;
    let codePoint = 0;
    if ((lead & 0xe0) === 0xc0) {
      if (isContinuation(i + 1)) {
        sequenceLength = 2;
        codePoint = ((lead & 0x1f) << 6) | payload(i + 1);
      }
    } else if ((lead & 0xf0) === 0xe0) {
      if (isContinuation(i + 1) && isContinuation(i + 2)) {
        sequenceLength = 3;
        codePoint = ((lead & 0x0f) << 12) | (payload(i + 1) << 6) | payload(i + 2);
      }
    } else if ((lead & 0xf8) === 0xf0) {
      if (lead >= 0xf5) out[j++] = lead;
      if (isContinuation(i + 1) && isContinuation(i + 2) && isContinuation(i + 3)) {
        sequenceLength = 4;
        codePoint = ((lead & 0x07) << 18) | (payload(i + 1) << 12) | (payload(i + 2) << 6) | payload(i + 3);
      }
    } else {
      out[j++] = lead;
    }
    if (sequenceLength > 0) j = writePercentU(out, j, codePoint);
    if (codePoint >= 0xd800 && codePoint <= 0xdfff) out[j++] = lead;
    if (
      (sequenceLength === 4 && codePoint < 0x10000) ||
      (sequenceLength === 3 && codePoint < 0x800) ||
      (sequenceLength === 2 && codePoint < 0x80)
    ) {
      out[j++] = lead;
    }
    i += sequenceLength > 0 ? sequenceLength : 1;
  }
  return toByteString(out, j);
}

const HEX_DIGITS = '0123456789abcdef';

/** Writes `%u` and the code point in lowercase hex, at least four digits (printf "%04x"). */
function writePercentU(out: Buffer, at: number, codePoint: number): number {
  let j = at;
  out[j++] = 0x25;
  out[j++] = 0x75;
  const digits = codePoint > 0xfffff ? 6 : codePoint > 0xffff ? 5 : 4;
  for (let shift = (digits - 1) * 4; shift >= 0; shift -= 4) {
    out[j++] = HEX_DIGITS.charCodeAt((codePoint >> shift) & 0x0f);
  }
  return j;
}
