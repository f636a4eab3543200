/**
 * `@beginsWith` (gateway/waf/operators): the value starts with the parameter (case-sensitive;
 * macros expanded at match time; an empty parameter always matches).
 *
 * @example SecRule REQUEST_LINE "!@beginsWith GET" "id:1,phase:1,pass"
 */
import type { OperatorDefinition } from '../types.js';
import { macroParam } from './param.js';

export const beginsWith: OperatorDefinition = {
  compile(param) {
    const resolve = macroParam(param);
    return (value, context) => value.startsWith(resolve(context));
  },
};
