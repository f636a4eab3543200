/**
 * Sigma rules and correlations together (detect/correlation): one call per event returns the
 * rule matches to report and the correlation matches it completed. Rules that a correlation
 * uses with `generate: false` (the default) are reported only through the correlation.
 *
 * @example
 * const detector = createSigmaDetector(await loadSigmaRules('rules/'));
 * const { matches, correlations } = detector.process(event);
 */
import type { SecurityEvent } from '../../core/records/security-event.js';
import { SigmaEngine } from '../sigma/engine.js';
import type { FieldMap } from '../sigma/field-map.js';
import type { SigmaMatch, SigmaProblem, SigmaRule } from '../sigma/types.js';
import { CorrelationEngine } from './engine.js';
import type { CorrelationEngineOptions } from './engine.js';
import type { CorrelationMatch, CorrelationRule } from './types.js';

export interface SigmaDetection {
  matches: SigmaMatch[];
  correlations: CorrelationMatch[];
}

export interface SigmaDetector {
  readonly sigma: SigmaEngine;
  readonly correlation: CorrelationEngine;
  /** Correlation rules that cannot run (unknown references, unmapped fields, cycles). */
  readonly problems: readonly SigmaProblem[];
  process(event: SecurityEvent): SigmaDetection;
  /** End of input: decides the correlation windows still open. */
  flush(): CorrelationMatch[];
}

export function createSigmaDetector(
  loaded: { rules: readonly SigmaRule[]; correlations: readonly CorrelationRule[] },
  options: CorrelationEngineOptions & { fieldMap?: FieldMap } = {},
): SigmaDetector {
  const sigma = new SigmaEngine(loaded.rules, options.fieldMap ? { fieldMap: options.fieldMap } : {});
  const correlation = new CorrelationEngine(loaded.correlations, loaded.rules, options);
  const hidden = correlation.suppressed;
  return {
    sigma,
    correlation,
    problems: correlation.problems,
    process(event) {
      const all = sigma.evaluate(event);
      const correlations = correlation.observe(event, all);
      const matches = hidden.size === 0 || all.length === 0 ? all : all.filter((m) => !hidden.has(m.ruleId));
      return { matches, correlations };
    },
    flush: () => correlation.flush(),
  };
}
