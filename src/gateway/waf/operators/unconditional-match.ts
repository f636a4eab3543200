/**
 * `@unconditionalMatch` (gateway/waf/operators): always matches (what SecAction runs).
 *
 * @example SecRule REMOTE_ADDR "@unconditionalMatch" "id:1,phase:1,pass,setvar:tx.seen=1"
 */
import type { OperatorDefinition } from '../types.js';

export const unconditionalMatch: OperatorDefinition = {
  compile: () => () => true,
};
