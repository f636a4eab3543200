/**
 * `t:trim`: a WAF transformation (gateway/waf/transformations), run by the rule engine on
 * a value before the operator sees it.
 */
import { trimLeft } from './trim-left.js';
import { trimRight } from './trim-right.js';

/**
 * Removes leading and trailing C-locale whitespace (space, \t, \n, \v, \f, \r; not 0xA0).
 * Example: `SecRule ARGS "@streq admin" "id:1,t:trim"`.
 */
export function trim(input: string): string {
  return trimLeft(trimRight(input));
}
