/**
 * `@validateUtf8Encoding` (gateway/waf/operators): matches when the value (bytes) is not
 * valid UTF-8 as ModSecurity judges it: truncated or malformed sequences, overlong forms,
 * surrogates (U+D800-DFFF) and lead bytes from 0xF5 up.
 *
 * @example SecRule ARGS "@validateUtf8Encoding" "id:1,phase:2,deny"
 */
import type { OperatorDefinition } from '../types.js';

/** Length of the valid sequence at `at`, or 0 when it is invalid. */
function sequenceLength(value: string, at: number): number {
  const lead = value.charCodeAt(at);
  if (lead < 0x80) return 1;
  let length: number;
  let codePoint: number;
  if ((lead & 0xe0) === 0xc0) [length, codePoint] = [2, lead & 0x1f];
  else if ((lead & 0xf0) === 0xe0) [length, codePoint] = [3, lead & 0x0f];
  else if ((lead & 0xf8) === 0xf0 && lead < 0xf5) [length, codePoint] = [4, lead & 0x07];
  else return 0;
  if (at + length > value.length) return 0;
  for (let i = 1; i < length; i++) {
    const next = value.charCodeAt(at + i);
    if ((next & 0xc0) !== 0x80 || next > 0xff) return 0;
    codePoint = (codePoint << 6) | (next & 0x3f);
  }
  if (codePoint >= 0xd800 && codePoint <= 0xdfff) return 0;
  const minimum = length === 2 ? 0x80 : length === 3 ? 0x800 : 0x10000;
  return codePoint < minimum ? 0 : length;
}

export function hasInvalidUtf8(value: string): boolean {
  for (let at = 0; at < value.length;) {
    const length = sequenceLength(value, at);
    if (length === 0) return true;
    at += length;
  }
  return false;
}

export const validateUtf8Encoding: OperatorDefinition = {
  compile: () => (value) => hasInvalidUtf8(value),
};
