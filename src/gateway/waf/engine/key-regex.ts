/**
 * Regex keys of rule targets (gateway/waf/engine): `REQUEST_COOKIES:/^__utm/`. Compiled once at
 * load time through our PCRE translator, caseless as ModSecurity compiles them, because
 * collection keys are case-insensitive.
 */
import { emitJs } from '../regex/emit-js.js';
import { MODSECURITY_FLAGS, parsePcre } from '../regex/parse-pcre.js';

export function compileKeyRegex(pattern: string): RegExp {
  const emitted = emitJs(parsePcre(pattern, { ...MODSECURITY_FLAGS, caseless: true }));
  return new RegExp(emitted.source, emitted.flags.replace('g', ''));
}
