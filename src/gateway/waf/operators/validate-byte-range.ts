/**
 * `@validateByteRange` (gateway/waf/operators): matches when the value holds a byte OUTSIDE
 * the allowed list — comma-separated bytes and ranges (`9,10,13,32-126,128-255`). A list
 * ModSecurity would misread (not a number, beyond 255, reversed range) is a load error here.
 *
 * @example SecRule ARGS "@validateByteRange 1-255" "id:1,phase:2,deny"
 */
import type { OperatorDefinition } from '../types.js';
import { OperatorParamError } from './param.js';

const ITEM = /^\s*(\d{1,3})\s*(?:-\s*(\d{1,3})\s*)?$/;

export function parseByteRanges(param: string): Uint8Array {
  const allowed = new Uint8Array(256);
  for (const item of param.split(',')) {
    const match = ITEM.exec(item);
    if (!match)
      throw new OperatorParamError('validateByteRange', `"${item}" is not a byte or a range of bytes`);
    const from = Number(match[1]);
    const to = match[2] === undefined ? from : Number(match[2]);
    if (from > 255 || to > 255 || from > to) {
      throw new OperatorParamError('validateByteRange', `"${item.trim()}" is not a range within 0-255`);
    }
    allowed.fill(1, from, to + 1);
  }
  return allowed;
}

export const validateByteRange: OperatorDefinition = {
  compile(param) {
    const allowed = parseByteRanges(param);
    return (value) => {
      for (let i = 0; i < value.length; i++) {
        const code = value.charCodeAt(i);
        if (code > 0xff || allowed[code] === 0) return true;
      }
      return false;
    };
  },
};
