/**
 * `t:replaceNulls`: a WAF transformation (gateway/waf/transformations), run by the rule
 * engine on a value before the operator sees it.
 */

/** Replaces every 0x00 byte with a space. Example: `SecRule ARGS "@rx a b" "id:1,t:replaceNulls"`. */
export function replaceNulls(input: string): string {
  return input.indexOf('\0') === -1 ? input : input.replace(/\0/g, ' ');
}
