/**
 * Shared helpers of the operators (gateway/waf/operators): the load-time error every operator
 * throws for a bad parameter, macro-aware parameters, and ModSecurity's integer parsing.
 */
import type { OperatorContext } from '../types.js';

/** A parameter the operator cannot compile; the rule loader adds `file:line`. */
export class OperatorParamError extends Error {
  constructor(
    readonly operator: string,
    detail: string,
  ) {
    super(`@${operator}: ${detail}`);
    this.name = 'OperatorParamError';
  }
}

/**
 * A parameter that may hold macros (`%{tx.allowed_methods}`): constant when it has none,
 * expanded through the transaction at match time otherwise, as ModSecurity v3 does.
 */
export function macroParam(param: string): (context: OperatorContext) => string {
  if (!param.includes('%{')) return () => param;
  return (context) => context.expand(param);
}

/** The blanks std::stoi skips: \t \n \v \f \r and space. */
const isBlank = (code: number): boolean => code === 32 || (code >= 9 && code <= 13);

/**
 * `std::stoi` as ModSecurity uses it: leading blanks, a sign, the leading digits ("12abc" is
 * 12); no digits or a value outside 32 bits throws in C++, which ModSecurity turns into 0.
 * Read by hand, not with a regular expression: the CRS compares TX numbers (paranoia levels,
 * scores) dozens of times per transaction.
 */
export function toModSecurityInt(text: string): number {
  let i = 0;
  while (i < text.length && isBlank(text.charCodeAt(i))) i++;
  let sign = 1;
  const first = text.charCodeAt(i);
  if (first === 43 || first === 45) {
    if (first === 45) sign = -1;
    i++;
  }
  const digitsFrom = i;
  let magnitude = 0;
  for (; i < text.length; i++) {
    const digit = text.charCodeAt(i) - 48;
    if (digit < 0 || digit > 9) break;
    // Past 32 bits the result is 0 whatever follows; stop before the number loses precision.
    if (magnitude > 2147483648) return 0;
    magnitude = magnitude * 10 + digit;
  }
  if (i === digitsFrom) return 0;
  const value = sign * magnitude;
  return value > 2147483647 || value < -2147483648 ? 0 : value;
}

/** Lines of a data file: no blank lines, no `#` comments (first non-blank character). */
export function dataFileLines(content: string): string[] {
  const lines: string[] = [];
  for (const raw of content.split('\n')) {
    const line = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
    const trimmedStart = line.trimStart();
    if (trimmedStart === '' || trimmedStart.startsWith('#')) continue;
    lines.push(line);
  }
  return lines;
}
