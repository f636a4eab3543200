/**
 * The numeric comparison operators' common core (gateway/waf/operators): both sides parsed
 * as ModSecurity parses integers (non-numeric is 0), the parameter expanded at match time.
 */
import type { OperatorDefinition } from '../types.js';
import { macroParam, toModSecurityInt } from './param.js';

export function numericOperator(compare: (value: number, param: number) => boolean): OperatorDefinition {
  return {
    compile(param) {
      const resolve = macroParam(param);
      if (!param.includes('%{')) {
        const constant = toModSecurityInt(param);
        return (value) => compare(toModSecurityInt(value), constant);
      }
      return (value, context) => compare(toModSecurityInt(value), toModSecurityInt(resolve(context)));
    },
  };
}
