/**
 * `t:lowercase`: a WAF transformation (gateway/waf/transformations), run by the rule
 * engine on a value before the operator sees it.
 */

/**
 * Maps A-Z to a-z and nothing else, as `tolower` does in the C locale; bytes >= 0x80 stay
 * (JavaScript's own `toLowerCase` would also fold Latin-1 letters such as 0xC0).
 * Example: `SecRule ARGS "@streq select" "id:1,t:lowercase"`.
 */
export function lowercase(input: string): string {
  return input.replace(/[A-Z]+/g, (letters) => letters.toLowerCase());
}
