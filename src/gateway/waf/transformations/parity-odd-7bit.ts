/**
 * `t:parityOdd7bit`: a WAF transformation (gateway/waf/transformations), run by the rule
 * engine on a value before the operator sees it.
 */
import { allocBytes, toByteString } from './bytes.js';
import { hasOddBitCount } from './parity-zero-7bit.js';

/**
 * Clears the high bit of each byte when the byte has an odd number of 1 bits, sets it
 * otherwise. As in ModSecurity, the count includes the high bit itself.
 * Example: `SecRule ARGS "@rx attack" "id:1,t:parityOdd7bit"`.
 */
export function parityOdd7bit(input: string): string {
  const out = allocBytes(input.length);
  for (let i = 0; i < input.length; i++) {
    const byte = input.charCodeAt(i) & 0xff;
    out[i] = hasOddBitCount(byte) ? byte & 0x7f : byte | 0x80;
  }
  return toByteString(out, input.length);
}
