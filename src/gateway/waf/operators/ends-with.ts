/**
 * `@endsWith` (gateway/waf/operators): the value ends with the parameter (case-sensitive;
 * macros expanded at match time; an empty parameter always matches).
 *
 * @example SecRule TX:1 "!@endsWith %{request_headers.host}" "id:1,phase:2,pass"
 */
import type { OperatorDefinition } from '../types.js';
import { macroParam } from './param.js';

export const endsWith: OperatorDefinition = {
  compile(param) {
    const resolve = macroParam(param);
    return (value, context) => value.endsWith(resolve(context));
  },
};
