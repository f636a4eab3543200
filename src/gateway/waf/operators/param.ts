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

const INT_PREFIX = /^[\t\n\v\f\r ]*([+-]?\d+)/;

/**
 * `std::stoi` as ModSecurity uses it: leading blanks, a sign, the leading digits ("12abc" is
 * 12); no digits or a value outside 32 bits throws in C++, which ModSecurity turns into 0.
 */
export function toModSecurityInt(text: string): number {
  const match = INT_PREFIX.exec(text);
  if (!match) return 0;
  const value = Number(match[1]);
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
