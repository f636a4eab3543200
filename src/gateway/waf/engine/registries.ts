/**
 * The registries the engine compiles rules against (gateway/waf/engine): operators by SecLang
 * name and transformations by `t:` name. They are a parameter of the engine so tests can inject
 * a few stand-ins; `defaultRegistries()` holds the real ones.
 *
 * @example createWafEngine(ruleSet, { registries: { ...defaultRegistries(), operators: { rx: myRx } } })
 */
import { detectSQLi, detectXSS } from '../libinjection/operators.js';
import { OPERATORS } from '../operators/index.js';
import { getTransformation, isResetTransformation } from '../transformations/index.js';
import type { OperatorDefinition, Transformation } from '../types.js';

export interface EngineRegistries {
  /** Operators by SecLang name without `@`, exact spelling first, then case-insensitive. */
  operators: Readonly<Record<string, OperatorDefinition>>;
  getTransformation(name: string): Transformation | undefined;
  /** True for `t:none`, which clears the transformations before it. */
  isResetTransformation(name: string): boolean;
}

export function defaultRegistries(): EngineRegistries {
  return {
    operators: { ...OPERATORS, detectSQLi, detectXSS },
    getTransformation,
    isResetTransformation,
  };
}

/** Looks an operator up by exact name, then case-insensitively (ModSecurity accepts `@rX`). */
export function findOperator(registries: EngineRegistries, name: string): OperatorDefinition | undefined {
  const exact = registries.operators[name];
  if (exact) return exact;
  const lower = name.toLowerCase();
  for (const [candidate, definition] of Object.entries(registries.operators)) {
    if (candidate.toLowerCase() === lower) return definition;
  }
  return undefined;
}
