/**
 * `@lt` (gateway/waf/operators): true when the value, as an integer, is less than the
 * parameter (macros expanded at match time; non-numeric text counts as 0).
 *
 * @example SecRule &ARGS "@lt %{tx.max_num_args}" "id:1,phase:2,deny"
 */
import { numericOperator } from './numeric.js';

export const lt = numericOperator((value, param) => value < param);
