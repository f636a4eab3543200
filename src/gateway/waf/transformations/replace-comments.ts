/**
 * `t:replaceComments`: a WAF transformation (gateway/waf/transformations), run by the
 * rule engine on a value before the operator sees it.
 */
import { allocBytes, toByteString } from './bytes.js';

/**
 * Replaces each C comment (`/* ... *\/`) with one space; an unterminated comment runs to
 * the end and also becomes one space. A lone `*\/` outside a comment stays.
 * ("UNION/**\/SELECT" -> "UNION SELECT", "a/* b" -> "a ").
 * Example: `SecRule ARGS "@rx union select" "id:1,t:replaceComments,t:lowercase"`.
 */
export function replaceComments(input: string): string {
  if (input.indexOf('/*') === -1) return input;
  const n = input.length;
  const out = allocBytes(n + 1);
  let j = 0;
  let i = 0;
  let inComment = false;
  while (i < n) {
    const c = input.charCodeAt(i);
    if (!inComment) {
      if (c === 0x2f && input.charCodeAt(i + 1) === 0x2a) {
        inComment = true;
        i += 2;
      } else {
        out[j++] = c;
        i++;
      }
    } else if (c === 0x2a && input.charCodeAt(i + 1) === 0x2f) {
      inComment = false;
      out[j++] = 0x20;
      i += 2;
    } else {
      i++;
    }
  }
  if (inComment) out[j++] = 0x20;
  return toByteString(out, j);
}
