/**
 * `@streq` (gateway/waf/operators): the value equals the parameter exactly, byte for byte
 * (case-sensitive; macros expanded at match time).
 *
 * @example SecRule REQUEST_METHOD "!@streq %{ARGS._method}" "id:1,phase:2,pass"
 */
import type { OperatorDefinition } from '../types.js';
import { macroParam } from './param.js';

export const streq: OperatorDefinition = {
  compile(param) {
    const resolve = macroParam(param);
    return (value, context) => value === resolve(context);
  },
};
