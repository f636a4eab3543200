/**
 * `@noMatch` (gateway/waf/operators): never matches (a rule kept for its side effects off).
 *
 * @example SecRule ARGS "@noMatch" "id:1,phase:2,pass"
 */
import type { OperatorDefinition } from '../types.js';

export const noMatch: OperatorDefinition = {
  compile: () => () => false,
};
