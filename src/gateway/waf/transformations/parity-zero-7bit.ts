/**
 * `t:parityZero7bit`: a WAF transformation (gateway/waf/transformations), run by the rule
 * engine on a value before the operator sees it.
 */
import { allocBytes, toByteString } from './bytes.js';

/** True when the byte has an odd number of 1 bits (0x6996 is the parity table of a nibble). */
export function hasOddBitCount(byte: number): boolean {
  return ((0x6996 >> ((byte ^ (byte >> 4)) & 0x0f)) & 1) === 1;
}

/** Clears the high bit of every byte. Example: `SecRule ARGS "@rx attack" "id:1,t:parityZero7bit"`. */
export function parityZero7bit(input: string): string {
  const out = allocBytes(input.length);
  for (let i = 0; i < input.length; i++) out[i] = input.charCodeAt(i) & 0x7f;
  return toByteString(out, input.length);
}
