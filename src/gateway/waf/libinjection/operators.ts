/**
 * `@detectSQLi` and `@detectXSS` operators (gateway/waf, rule engine -> operator registry).
 *
 * Both take no parameter and run our libinjection-style detectors on the transformed value
 * (a byte string). As in ModSecurity v3, with `capture` a match stores TX:0: the SQLi
 * fingerprint for `@detectSQLi`, the matched value for `@detectXSS`.
 *
 *   SecRule ARGS "@detectSQLi" "id:942100,phase:2,t:none,t:utf8toUnicode,t:urlDecodeUni,capture,block"
 *   SecRule ARGS "@detectXSS"  "id:941100,phase:2,t:none,t:utf8toUnicode,t:urlDecodeUni,block"
 */
import type { OperatorDefinition } from '../types.js';
import { detectSqli } from './sqli/index.js';
import { detectXss } from './xss/index.js';

/** ModSecurity ignores an operand here; we refuse one, so a typo in a rule is not silently dropped. */
function rejectParameter(name: string, param: string): void {
  if (param.trim() !== '') {
    throw new Error(`@${name} takes no parameter, got ${JSON.stringify(param)}`);
  }
}

export const detectSQLi: OperatorDefinition = {
  compile(param) {
    rejectParameter('detectSQLi', param);
    return (value, context) => {
      const result = detectSqli(value);
      if (result.isInjection && context.capture) context.setCapture(0, result.fingerprint);
      return result.isInjection;
    };
  },
};

/**
 * Every token that makes detectXss answer true needs one of these bytes: a tag, comment or
 * doctype opens with `<`; an attribute value follows `=` (the value the input starts in, in an
 * attribute context, is never judged). So the engine skips `@detectXSS` on values without both.
 */
export const XSS_REQUIRED_LITERALS: readonly string[] = Object.freeze(['<', '=']);

export const detectXSS: OperatorDefinition = {
  requiredLiterals: () => XSS_REQUIRED_LITERALS,
  compile(param) {
    rejectParameter('detectXSS', param);
    return (value, context) => {
      const matched = detectXss(value);
      if (matched && context.capture) context.setCapture(0, value);
      return matched;
    };
  },
};
