/**
 * `t:trimLeft`: a WAF transformation (gateway/waf/transformations), run by the rule engine
 * on a value before the operator sees it.
 */
import { isCSpace } from './bytes.js';

/**
 * Removes leading C-locale whitespace (space, \t, \n, \v, \f, \r; not 0xA0).
 * Example: `SecRule ARGS "@beginsWith select" "id:1,t:trimLeft"`.
 */
export function trimLeft(input: string): string {
  let start = 0;
  while (start < input.length && isCSpace(input.charCodeAt(start))) start++;
  return start === 0 ? input : input.slice(start);
}
