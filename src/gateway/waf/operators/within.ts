/**
 * `@within` (gateway/waf/operators): the VALUE occurs somewhere in the parameter — a plain
 * substring test, as ModSecurity v3 does it (so `GET` is within `|GET| |POST|`, and so is
 * `ET`). An empty value always matches. Macros expand at match time.
 *
 * @example SecRule REQUEST_METHOD "!@within %{tx.allowed_methods}" "id:1,phase:1,deny"
 */
import type { OperatorDefinition } from '../types.js';
import { macroParam } from './param.js';

export const within: OperatorDefinition = {
  compile(param) {
    const resolve = macroParam(param);
    return (value, context) => value === '' || resolve(context).includes(value);
  },
};
