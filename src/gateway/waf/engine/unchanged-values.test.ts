/**
 * The prefilter's shortcut for values a pipeline leaves unchanged (evaluate.ts keepsLiterals):
 * a target whose values every transformation of a path returns as they are keeps its own
 * literals, a last `t:lowercase` included (the literal index folds A-Z); any value that one of
 * them changes goes through the path. Each case is also run on an engine without prefilters,
 * which must decide the same.
 */
import { describe, expect, it } from 'vitest';
import { createWafEngine, defaultRegistries, loadRuleText, type WafEngine } from '../index.js';
import type { CompiledRule } from './program.js';

const RULES = `
SecRequestBodyAccess On
SecRule ARGS "@rx select" "id:1,phase:2,pass,log,t:none,t:htmlEntityDecode,t:lowercase,msg:'entity, then lowercase'"
SecRule ARGS "@rx select" "id:2,phase:2,pass,log,t:none,t:lowercase,t:htmlEntityDecode,msg:'lowercase, then entity'"
SecRule ARGS "@rx union" "id:3,phase:2,pass,log,t:none,t:removeWhitespace,msg:'whitespace removed'"
SecRule ARGS "@rx Select" "id:4,phase:2,pass,log,t:none,t:htmlEntityDecode,msg:'case kept'"
SecRule ARGS "@rx select" "id:5,phase:2,pass,log,t:none,msg:'as sent'"
SecRule ARGS "@rx select" "id:6,phase:2,pass,log,t:none,t:lowercase,t:expandXyz,msg:'lowercase, then a case-sensitive step'"
`;

/**
 * A stand-in transformation that sees case: "xyz" becomes "select", "XYZ" stays. Through
 * t:lowercase first, "XYZ" ends as "select" although expandXyz leaves the raw value unchanged:
 * only a LAST t:lowercase may be skipped when comparing literals.
 */
const registries = {
  ...defaultRegistries(),
  getTransformation: (name: string) =>
    name === 'expandXyz'
      ? (value: string) => value.replaceAll('xyz', 'select')
      : defaultRegistries().getTransformation(name),
};

function withoutPrefilters(engine: WafEngine): WafEngine {
  for (const phase of engine.program.phases)
    for (const entry of phase.entries) {
      if (entry.kind !== 'rule') continue;
      for (let link: CompiledRule | null = entry.rule; link; link = link.chained) {
        if (link.operator) link.operator.prefilter = null;
        link.valuesKey = null;
      }
    }
  return engine;
}

const fast = createWafEngine(loadRuleText(RULES, 'inline.conf'), { registries });
const reference = withoutPrefilters(createWafEngine(loadRuleText(RULES, 'inline.conf'), { registries }));

function fired(engine: WafEngine, query: string): number[] {
  const tx = engine.newTransaction({
    remoteAddr: '127.0.0.1',
    method: 'GET',
    uri: `/?${query}`,
    protocol: 'HTTP/1.1',
    headers: [['Host', 'shop.example']],
  });
  tx.processRequestHeaders();
  tx.processRequestBody();
  return tx.processLogging().matchedRules.map((match) => match.id);
}

function expectFired(query: string, ids: number[]): void {
  expect(fired(fast, query)).toEqual(ids);
  expect(fired(reference, query)).toEqual(ids);
}

describe('values a pipeline leaves unchanged', () => {
  it('keep their literals through a last t:lowercase, not through a case-sensitive regex', () => {
    expectFired('a=SeLeCt', [1, 2, 6]);
    expectFired('a=Select', [1, 2, 4, 6]);
    expectFired('a=select', [1, 2, 5, 6]);
  });

  it('go through the path when a transformation changes them', () => {
    // &#115;elect: only the decoded value holds "select".
    expectFired('a=%26%23115%3Belect', [1, 2]);
    // lowercase first: &#115;ELECT -> &#115;elect -> select; the raw value never held "select".
    expectFired('a=%26%23115%3BELECT', [1, 2]);
    // &#83;elect -> Select: the case-sensitive rule sees the decoded capital, and lowercasing
    // before decoding leaves it (rule 2 sees "Select", not "select").
    expectFired('a=%26%2383%3Belect', [1, 4]);
  });

  it('go through an earlier t:lowercase even when every later step leaves the raw value as it is', () => {
    expectFired('a=XYZ', [6]);
    expectFired('a=XYZ&b=plain', [6]);
  });

  it('are judged one by one when only some values of a target change', () => {
    expectFired('a=harmless&b=un%20ion', [3]);
    expectFired('a=un%20ion&b=SELECT', [1, 2, 3, 6]);
    expectFired('a=harmless&b=nothing', []);
  });
});
