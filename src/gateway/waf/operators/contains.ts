/**
 * `@contains` (gateway/waf/operators): the parameter occurs in the value (case-sensitive;
 * an empty parameter always matches). With `capture`, TX:0 is the parameter, as ModSecurity.
 *
 * @example SecRule REQUEST_URI_RAW "@contains #" "id:1,phase:1,deny"
 */
import type { OperatorDefinition } from '../types.js';
import { macroParam } from './param.js';

export const contains: OperatorDefinition = {
  compile(param) {
    const resolve = macroParam(param);
    return (value, context) => {
      const needle = resolve(context);
      const found = value.includes(needle);
      if (found && context.capture) context.setCapture(0, needle);
      return found;
    };
  },
};
