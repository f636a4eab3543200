/**
 * Declarative engine profiles (fixtures/*.json), as Coraza tests its engine: inline rules, a
 * request (and optionally a response), the rules expected to fire and not to fire, the
 * interruption, TX values and match-line fragments. One loop runs them all.
 */
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { InMemoryPersistentCollections } from './persistent.js';
import { engineFromText } from './testing/stand-ins.js';
import type { RuleEngineMode } from '../seclang/model.js';
import type { WafInterruption, WafMatch } from './results.js';

interface Profile {
  name: string;
  rules: string;
  ruleEngine?: RuleEngineMode;
  repeat?: number;
  request: {
    method?: string;
    uri: string;
    remoteAddr?: string;
    headers?: Array<[string, string]>;
    body?: string;
  };
  response?: { status: number; headers: Array<[string, string]>; body?: string };
  expect: {
    fired?: number[];
    notFired?: number[];
    interruption?: Partial<WafInterruption> | null;
    wouldInterrupt?: Partial<WafInterruption> | null;
    tx?: Record<string, string>;
    txAbsent?: string[];
    match?: Partial<WafMatch>;
    lineContains?: string[];
  };
}

const fixturesDir = path.join(path.dirname(fileURLToPath(import.meta.url)), 'fixtures');
const files = readdirSync(fixturesDir).filter((file) => file.endsWith('.json'));

describe.each(files)('engine profiles: %s', (file) => {
  const profiles = JSON.parse(readFileSync(path.join(fixturesDir, file), 'utf8')) as Profile[];
  it.each(profiles.map((profile) => [profile.name, profile] as const))('%s', (_name, profile) => {
    const engine = engineFromText(profile.rules, {
      persistent: new InMemoryPersistentCollections(),
      ...(profile.ruleEngine ? { ruleEngine: profile.ruleEngine } : {}),
    });
    let tx = engine.newTransaction(toRequest(profile));
    for (let round = 0; round < (profile.repeat ?? 1); round++) {
      tx = engine.newTransaction(toRequest(profile));
      tx.processRequestHeaders();
      tx.processRequestBody(profile.request.body);
      if (profile.response) {
        tx.processResponseHeaders(profile.response);
        tx.processResponseBody(profile.response.body);
      }
      tx.processLogging();
    }
    const result = tx.processLogging();
    const fired = result.matchedRules.map((match) => match.id);
    for (const id of profile.expect.fired ?? []) expect(fired, `rule ${id} should fire`).toContain(id);
    for (const id of profile.expect.notFired ?? [])
      expect(fired, `rule ${id} should not fire`).not.toContain(id);
    if (profile.expect.interruption === null) expect(result.interruption).toBeNull();
    else if (profile.expect.interruption)
      expect(result.interruption).toMatchObject(profile.expect.interruption);
    if (profile.expect.wouldInterrupt)
      expect(result.wouldInterrupt).toMatchObject(profile.expect.wouldInterrupt);
    const txCollection = tx.collection('TX');
    for (const [key, value] of Object.entries(profile.expect.tx ?? {}))
      expect(txCollection?.first(key), `tx.${key}`).toBe(value);
    for (const key of profile.expect.txAbsent ?? []) expect(txCollection?.first(key)).toBeUndefined();
    if (profile.expect.match) {
      expect(result.matchedRules.find((match) => match.id === profile.expect.match?.id)).toMatchObject(
        profile.expect.match,
      );
    }
    for (const fragment of profile.expect.lineContains ?? []) {
      expect(
        result.matchLines.some((line) => line.includes(fragment)),
        fragment,
      ).toBe(true);
    }
  });
});

function toRequest(profile: Profile): Parameters<ReturnType<typeof engineFromText>['newTransaction']>[0] {
  return {
    remoteAddr: profile.request.remoteAddr ?? '127.0.0.1',
    remotePort: 40000,
    method: profile.request.method ?? 'GET',
    uri: profile.request.uri,
    protocol: 'HTTP/1.1',
    headers: profile.request.headers ?? [['Host', 'shop.example']],
  };
}
