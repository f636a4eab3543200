/**
 * `t:none`: the WAF transformation that clears the pipeline (gateway/waf/transformations).
 * The rule compiler drops every transformation before it, including the defaults from
 * SecDefaultAction; as a function it leaves the value alone.
 */

export const NONE_TRANSFORMATION_NAME = 'none';

/**
 * Identity. Example: `SecRule ARGS "@rx x" "id:1,t:none,t:lowercase"` applies only `lowercase`.
 */
export function none(input: string): string {
  return input;
}
