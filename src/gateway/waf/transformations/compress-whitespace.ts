/**
 * `t:compressWhitespace`: a WAF transformation (gateway/waf/transformations), run by the
 * rule engine on a value before the operator sees it.
 */

/**
 * Replaces each run of C-locale whitespace (space, \t, \n, \v, \f, \r) with one space.
 * ModSecurity v3 leaves 0xA0 alone here (v2 folded it too).
 * Example: `SecRule ARGS "@contains union select" "id:1,t:compressWhitespace"`.
 */
export function compressWhitespace(input: string): string {
  return input.replace(/[ \t\n\v\f\r]+/g, ' ');
}
