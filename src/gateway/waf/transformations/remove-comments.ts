/**
 * `t:removeComments`: a WAF transformation (gateway/waf/transformations), run by the rule
 * engine on a value before the operator sees it.
 */
import { allocBytes, toByteString } from './bytes.js';

/**
 * Deletes C comments (`/* ... *\/`) and HTML comments (`<!-- ... -->`), as ModSecurity v3
 * does: an unterminated comment becomes one space; outside a comment, `--` or `#` ends the
 * value there (the rest is an SQL / shell line comment) and is itself dropped.
 * ("SELECT/**\/UNION" -> "SELECTUNION", "1 OR 1=1-- x" -> "1 OR 1=1").
 * Example: `SecRule ARGS "@contains selectunion" "id:1,t:removeComments,t:lowercase"`.
 */
export function removeComments(input: string): string {
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
      } else if (c === 0x3c && input.startsWith('!--', i + 1)) {
        inComment = true;
        i += 4;
      } else if ((c === 0x2d && input.charCodeAt(i + 1) === 0x2d) || c === 0x23) {
        break;
      } else {
        out[j++] = c;
        i++;
      }
    } else if (c === 0x2a && input.charCodeAt(i + 1) === 0x2f) {
      inComment = false;
      i += 2;
    } else if (c === 0x2d && input.startsWith('->', i + 1)) {
      inComment = false;
      i += 3;
    } else {
      i++;
    }
  }
  if (inComment) out[j++] = 0x20;
  return toByteString(out, j);
}
