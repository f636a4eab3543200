/**
 * `t:length`: a WAF transformation (gateway/waf/transformations), run by the rule engine
 * on a value before the operator sees it.
 */

/**
 * The value's length in bytes, as decimal text. Example:
 * `SecRule ARGS "@gt 400" "id:1,t:none,t:length"`.
 */
export function length(input: string): string {
  return String(input.length);
}
