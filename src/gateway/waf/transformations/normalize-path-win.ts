/**
 * `t:normalizePathWin` (alias `normalisePathWin`): a WAF transformation
 * (gateway/waf/transformations), run by the rule engine on a value before the operator
 * sees it.
 */
import { normalizePathBytes } from './normalize-path.js';

/**
 * `normalizePath` after turning every `\` into `/` ("a\..\b" -> "b").
 * Example: `SecRule REQUEST_FILENAME "@contains /windows/" "id:1,t:none,t:normalizePathWin"`.
 */
export function normalizePathWin(input: string): string {
  return normalizePathBytes(input, true);
}
