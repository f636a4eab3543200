/**
 * `@containsWord` (gateway/waf/operators): the parameter occurs in the value with no ASCII
 * letter right before or after it (ModSecurity's word test: only A-Z and a-z join words).
 * An empty parameter always matches.
 *
 * @example SecRule ARGS "@containsWord select" "id:1,phase:2,deny"
 */
import type { OperatorDefinition } from '../types.js';
import { macroParam } from './param.js';

function isLetter(code: number): boolean {
  return (code >= 0x41 && code <= 0x5a) || (code >= 0x61 && code <= 0x7a);
}

export const containsWord: OperatorDefinition = {
  compile(param) {
    const resolve = macroParam(param);
    return (value, context) => {
      const word = resolve(context);
      if (word === '') return true;
      for (let at = value.indexOf(word); at >= 0; at = value.indexOf(word, at + 1)) {
        const before = at === 0 ? -1 : value.charCodeAt(at - 1);
        const afterIndex = at + word.length;
        const after = afterIndex >= value.length ? -1 : value.charCodeAt(afterIndex);
        if (!isLetter(before) && !isLetter(after)) return true;
      }
      return false;
    };
  },
};
