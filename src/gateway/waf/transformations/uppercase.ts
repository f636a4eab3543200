/**
 * `t:uppercase`: a WAF transformation (gateway/waf/transformations), run by the rule
 * engine on a value before the operator sees it.
 */

/**
 * Maps a-z to A-Z and nothing else, as `toupper` does in the C locale (JavaScript's own
 * `toUpperCase` would turn 0xFF into U+0178, which is not a byte).
 * Example: `SecRule ARGS "@streq SELECT" "id:1,t:uppercase"`.
 */
export function uppercase(input: string): string {
  return input.replace(/[a-z]+/g, (letters) => letters.toUpperCase());
}
