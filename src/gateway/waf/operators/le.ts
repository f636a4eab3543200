/**
 * `@le` (gateway/waf/operators): true when the value, as an integer, is less than or equal to the
 * parameter (macros expanded at match time; non-numeric text counts as 0).
 *
 * @example SecRule &ARGS "@le %{tx.max_num_args}" "id:1,phase:2,deny"
 */
import { numericOperator } from './numeric.js';

export const le = numericOperator((value, param) => value <= param);
