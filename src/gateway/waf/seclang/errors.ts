/**
 * WafLoadError: the one error the SecLang parser and loader throw (gateway/waf/seclang).
 * It carries the `file:line` of the offending directive so an operator can fix the rule file;
 * the gateway refuses the whole rule set (all-or-nothing reload) when one is thrown.
 *
 * @example throw new WafLoadError({ file: '/etc/crs/rules/x.conf', line: 12 }, 'unknown action "denyy"')
 */
import { EnsuresecError } from '../../../core/errors.js';
import type { SourceLocation } from '../types.js';

export class WafLoadError extends EnsuresecError {
  readonly file: string;
  readonly line: number;
  /** The problem alone, without the location (for tests and structured logs). */
  readonly reason: string;

  constructor(location: SourceLocation, reason: string, options: { cause?: unknown } = {}) {
    // Rule files are configuration: the catalogue's config_invalid code fits and keeps docs/errors.md in step.
    super('config_invalid', {
      detail: `WAF rules: ${location.file}:${location.line}: ${reason}`,
      details: { file: location.file, line: location.line, reason },
      cause: options.cause,
    });
    this.name = 'WafLoadError';
    this.file = location.file;
    this.line = location.line;
    this.reason = reason;
  }
}

export function isWafLoadError(value: unknown): value is WafLoadError {
  return value instanceof WafLoadError;
}
