/**
 * `@rx` (gateway/waf/operators): a PCRE regular expression over the value's bytes, with the
 * flags ModSecurity v3 compiles with (see ../regex). Matching runs on the linear-time DFA;
 * with `capture`, TX:0 gets the whole match and TX:1..9 the groups that took part.
 * A parameter holding macros is compiled at match time (cached), as ModSecurity does.
 *
 * @example SecRule ARGS "@rx (?i)\bunion\b.{1,100}?\bselect\b" "id:1,phase:2,deny,capture"
 */
import type { OperatorContext, OperatorDefinition, OperatorMatcher } from '../types.js';
import { compileByteRegex } from '../regex/byte-regex.js';
import { parsePcre } from '../regex/parse-pcre.js';
import { requiredLiterals } from '../regex/required-literals.js';
import type { ByteRegex } from '../regex/byte-regex.js';
import { OperatorParamError } from './param.js';

const MAX_CAPTURE_INDEX = 9;
/** Expanded patterns kept per rule: expansions usually repeat (one per configuration value). */
const MAX_CACHED_EXPANSIONS = 16;

function compileOrThrow(pattern: string): ByteRegex {
  try {
    return compileByteRegex(pattern);
  } catch (error) {
    throw new OperatorParamError('rx', `invalid regular expression: ${(error as Error).message}`);
  }
}

function matcherFor(regex: ByteRegex): OperatorMatcher {
  return (value: string, context: OperatorContext): boolean => {
    if (!context.capture) return regex.test(value);
    const groups = regex.exec(value);
    if (!groups) return false;
    const last = Math.min(groups.length - 1, MAX_CAPTURE_INDEX);
    for (let index = 0; index <= last; index++) {
      const captured = groups[index];
      if (captured !== undefined) context.setCapture(index, captured);
    }
    return true;
  };
}

export const rx: OperatorDefinition = {
  requiredLiterals(param) {
    // Macros make the pattern per transaction; an invalid pattern fails in compile() anyway.
    if (param === '' || param.includes('%{')) return null;
    try {
      return requiredLiterals(parsePcre(param).root);
    } catch {
      return null;
    }
  },
  compile(param) {
    if (param === '') return () => true;
    if (!param.includes('%{')) return matcherFor(compileOrThrow(param));
    const cache = new Map<string, OperatorMatcher>();
    return (value, context) => {
      const pattern = context.expand(param);
      let matcher = cache.get(pattern);
      if (!matcher) {
        // A bad expansion is the transaction's data, not a load error: it simply does not match.
        try {
          matcher = matcherFor(compileByteRegex(pattern));
        } catch {
          matcher = () => false;
        }
        if (cache.size >= MAX_CACHED_EXPANSIONS) cache.clear();
        cache.set(pattern, matcher);
      }
      return matcher(value, context);
    };
  },
};
