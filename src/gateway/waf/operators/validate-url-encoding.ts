/**
 * `@validateUrlEncoding` (gateway/waf/operators): matches when the value's %-encoding is
 * broken — a `%` not followed by two hex digits, or cut short at the end. Empty never matches.
 *
 * @example SecRule REQUEST_URI "@validateUrlEncoding" "id:1,phase:1,deny"
 */
import type { OperatorDefinition } from '../types.js';

function isHex(code: number): boolean {
  return (code >= 0x30 && code <= 0x39) || (code >= 0x41 && code <= 0x46) || (code >= 0x61 && code <= 0x66);
}

export function hasInvalidUrlEncoding(value: string): boolean {
  let i = 0;
  while (i < value.length) {
    if (value.charCodeAt(i) !== 0x25) {
      i++;
      continue;
    }
    if (i + 2 >= value.length) return true;
    if (!isHex(value.charCodeAt(i + 1)) || !isHex(value.charCodeAt(i + 2))) return true;
    i += 3;
  }
  return false;
}

export const validateUrlEncoding: OperatorDefinition = {
  compile: () => (value) => hasInvalidUrlEncoding(value),
};
