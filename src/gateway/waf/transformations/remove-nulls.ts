/**
 * `t:removeNulls`: a WAF transformation (gateway/waf/transformations), run by the rule
 * engine on a value before the operator sees it.
 */

/** Deletes every 0x00 byte. Example: `SecRule ARGS "@rx select" "id:1,t:removeNulls"`. */
export function removeNulls(input: string): string {
  return input.indexOf('\0') === -1 ? input : input.replace(/\0+/g, '');
}
