/**
 * `@strmatch` (gateway/waf/operators): the parameter occurs in the value, case-sensitive.
 * ModSecurity implements it with Boyer-Moore-Horspool; V8's `includes` is the same idea.
 *
 * @example SecRule REQUEST_LINE "@strmatch WebZIP" "id:1,phase:1,deny"
 */
import type { OperatorDefinition } from '../types.js';
import { macroParam } from './param.js';

export const strmatch: OperatorDefinition = {
  compile(param) {
    const resolve = macroParam(param);
    return (value, context) => value.includes(resolve(context));
  },
};
