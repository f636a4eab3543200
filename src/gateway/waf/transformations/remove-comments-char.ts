/**
 * `t:removeCommentsChar`: a WAF transformation (gateway/waf/transformations), run by the
 * rule engine on a value before the operator sees it. CRS 942xxx use it.
 */

/**
 * Deletes the comment MARKERS, not what they enclose: `/*`, `*\/`, `<!--`, `-->`, `--`
 * and `#` ("1/*x*\/OR" -> "1xOR"). Scanned left to right, longest marker first at
 * each position. Example: `SecRule ARGS "@rx 1or1" "id:1,t:none,t:removeCommentsChar"`.
 */
export function removeCommentsChar(input: string): string {
  return input.replace(/\/\*|\*\/|<!--|-->|--|#/g, '');
}
