/**
 * Test helpers (gateway/waf/engine tests only): a few stand-in operators with ModSecurity's
 * meaning, injected through the engine's registries while the real operator registry
 * (operators/index.ts) is being written, plus `engineFromText` for declarative profiles.
 */
import { loadRuleText } from '../../seclang/loader.js';
import { createWafEngine, type WafEngine, type WafEngineOptions } from '../engine.js';
import { defaultRegistries, type EngineRegistries } from '../registries.js';
import type { OperatorDefinition, OperatorMatcher } from '../../types.js';

function simple(test: (value: string, param: string) => boolean): OperatorDefinition {
  return {
    compile: (param) => {
      const matcher: OperatorMatcher = (value, context) =>
        test(value, param.includes('%{') ? context.expand(param) : param);
      return matcher;
    },
  };
}

const numeric = (test: (a: number, b: number) => boolean): OperatorDefinition =>
  simple((value, param) => test(Number.parseInt(value, 10) || 0, Number.parseInt(param, 10) || 0));

export const STAND_IN_OPERATORS: Record<string, OperatorDefinition> = {
  rx: {
    compile: (param) => {
      const regex = new RegExp(param, 's');
      return (value, context) => {
        const match = regex.exec(value);
        if (!match) return false;
        if (context.capture)
          match.slice(0, 10).forEach((group, index) => context.setCapture(index, group ?? ''));
        return true;
      };
    },
  },
  pm: simple((value, param) =>
    param.split(' ').some((word) => word !== '' && value.toLowerCase().includes(word.toLowerCase())),
  ),
  eq: numeric((a, b) => a === b),
  ge: numeric((a, b) => a >= b),
  gt: numeric((a, b) => a > b),
  lt: numeric((a, b) => a < b),
  le: numeric((a, b) => a <= b),
  streq: simple((value, param) => value === param),
  contains: simple((value, param) => value.includes(param)),
  beginsWith: simple((value, param) => value.startsWith(param)),
  endsWith: simple((value, param) => value.endsWith(param)),
  within: simple((value, param) => param.includes(value)),
  unconditionalMatch: simple(() => true),
};

export function standInRegistries(): EngineRegistries {
  const real = defaultRegistries();
  return { ...real, operators: { ...STAND_IN_OPERATORS, ...real.operators } };
}

export function engineFromText(rules: string, options: WafEngineOptions = {}): WafEngine {
  return createWafEngine(loadRuleText(rules, '/virtual/profile.conf'), {
    registries: standInRegistries(),
    ...options,
  });
}
