/**
 * `t:removeWhitespace`: a WAF transformation (gateway/waf/transformations), run by the
 * rule engine on a value before the operator sees it.
 */

/**
 * Deletes C-locale whitespace (space, \t, \n, \v, \f, \r) and the bytes 0xA0 and 0xC2.
 * ModSecurity v3 (3.0.x) removes 0xC2 too, so that a UTF-8 no-break space (C2 A0)
 * disappears whole; the side effect on other C2 xx sequences is ModSecurity's, kept.
 * Example: `SecRule ARGS "@contains unionselect" "id:1,t:removeWhitespace"`.
 */
export function removeWhitespace(input: string): string {
  return input.replace(/[ \t\n\v\f\r\xa0\xc2]+/g, '');
}
