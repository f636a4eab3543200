/**
 * `t:cmdLine`: a WAF transformation (gateway/waf/transformations), run by the rule engine
 * on a value before the operator sees it. CRS 932xxx (RCE) rely on it.
 */
import { allocBytes, toByteString } from './bytes.js';

/**
 * Normalises a shell command line against evasion, as ModSecurity does, in one pass:
 * deletes `\` `"` `'` `^`; turns each run of space, `,`, `;`, \t, \r, \n into one space
 * (deleted characters inside a run do not break it); deletes a space just before `/` or
 * `(`; lowercases A-Z. ("C^md.exe  /c" -> "cmd.exe/c", "w'h'o'a'm'i" -> "whoami").
 * Example: `SecRule ARGS "@rx \bwhoami\b" "id:1,t:none,t:cmdLine"`.
 */
export function cmdLine(input: string): string {
  const out = allocBytes(input.length);
  let j = 0;
  let inSpace = false;
  for (let i = 0; i < input.length; i++) {
    const c = input.charCodeAt(i);
    switch (c) {
      case 0x22: // "
      case 0x27: // '
      case 0x5c: // \
      case 0x5e: // ^
        break;
      case 0x20:
      case 0x2c: // ,
      case 0x3b: // ;
      case 0x09:
      case 0x0d:
      case 0x0a:
        if (!inSpace) {
          out[j++] = 0x20;
          inSpace = true;
        }
        break;
      case 0x2f: // /
      case 0x28: // (
        if (inSpace) j--;
        inSpace = false;
        out[j++] = c;
        break;
      default:
        out[j++] = c >= 0x41 && c <= 0x5a ? c + 0x20 : c;
        inSpace = false;
    }
  }
  return toByteString(out, j);
}
