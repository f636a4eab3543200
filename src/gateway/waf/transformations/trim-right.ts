/**
 * `t:trimRight`: a WAF transformation (gateway/waf/transformations), run by the rule
 * engine on a value before the operator sees it.
 */
import { isCSpace } from './bytes.js';

/**
 * Removes trailing C-locale whitespace (space, \t, \n, \v, \f, \r; not 0xA0).
 * Example: `SecRule ARGS "@endsWith --" "id:1,t:trimRight"`.
 */
export function trimRight(input: string): string {
  let end = input.length;
  while (end > 0 && isCSpace(input.charCodeAt(end - 1))) end--;
  return end === input.length ? input : input.slice(0, end);
}
