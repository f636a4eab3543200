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
  return alreadyCompressed(input) ? input : input.replace(/[ \t\n\v\f\r]+/g, ' ');
}

/**
 * True when the value would come out unchanged (its whitespace is single spaces): ordinary
 * text, which is most of what a form sends, is then returned as is, not copied.
 */
function alreadyCompressed(input: string): boolean {
  let previousSpace = false;
  for (let i = 0; i < input.length; i++) {
    const code = input.charCodeAt(i);
    if (code === 0x20) {
      if (previousSpace) return false;
      previousSpace = true;
    } else {
      if (code >= 0x09 && code <= 0x0d) return false;
      previousSpace = false;
    }
  }
  return true;
}
