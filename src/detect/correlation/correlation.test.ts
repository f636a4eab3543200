/**
 * Sigma correlations (detect/correlation): each folder in fixtures/cases holds correlation rules
 * (rules.yml, over the base rules of fixtures/base-rules.yml) and case.json, time-ordered events
 * with the correlation matches expected after each event (or at flush). Then the errors of
 * fixtures/bad-correlations.json, and the bounds on state.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { securityEventSchema } from '../../core/records/security-event.js';
import type { SecurityEvent } from '../../core/records/security-event.js';
import { parseSigmaText } from '../sigma/index.js';
import { CorrelationEngine, createSigmaDetector } from './index.js';
import type { CorrelationMatch } from './index.js';

const fixtures = join(import.meta.dirname, 'fixtures');
const base = parseSigmaText(readFileSync(join(fixtures, 'base-rules.yml'), 'utf8'), 'base-rules.yml');

interface Case {
  why: string;
  options: { sweepEveryMs?: number; expectSigmaMatches?: Record<string, string[]> };
  events: SecurityEvent[];
  expected: Array<{ afterEvent: string; match: CorrelationMatch }>;
}

describe('sigma correlations', () => {
  it('loads the base rules', () => {
    expect(base.problems).toEqual([]);
    expect(base.rules).toHaveLength(5);
  });

  for (const name of readdirSync(join(fixtures, 'cases')).sort()) {
    const dir = join(fixtures, 'cases', name);
    const testCase = JSON.parse(readFileSync(join(dir, 'case.json'), 'utf8')) as Case;
    it(`${name}: ${testCase.why}`, () => {
      const parsed = parseSigmaText(readFileSync(join(dir, 'rules.yml'), 'utf8'), `${name}/rules.yml`);
      expect(parsed.problems).toEqual([]);
      const { expectSigmaMatches, ...options } = testCase.options;
      const detector = createSigmaDetector({ rules: base.rules, correlations: parsed.correlations }, options);
      expect(detector.problems).toEqual([]);
      const seen: Array<{ afterEvent: string; match: CorrelationMatch }> = [];
      for (const raw of testCase.events) {
        const event = securityEventSchema.parse(raw);
        const { matches, correlations } = detector.process(event);
        const wanted = expectSigmaMatches?.[event.id];
        if (wanted) expect(matches.map((m) => m.ruleId)).toEqual(wanted);
        for (const match of correlations) seen.push({ afterEvent: event.id, match });
      }
      for (const match of detector.flush()) seen.push({ afterEvent: 'flush', match });
      expect(seen).toEqual(testCase.expected);
    });
  }

  const bad = JSON.parse(readFileSync(join(fixtures, 'bad-correlations.json'), 'utf8')) as Array<{
    why: string;
    yaml: string;
    error: string;
    at: 'parse' | 'engine';
  }>;
  for (const testCase of bad) {
    it(`refuses ${testCase.why} (at ${testCase.at})`, () => {
      const parsed = parseSigmaText(testCase.yaml, 'bad.yml');
      if (testCase.at === 'parse') {
        expect(parsed.correlations).toEqual([]);
        expect(parsed.problems.map((p) => p.reason).join('\n')).toContain(testCase.error);
        return;
      }
      expect(parsed.problems).toEqual([]);
      const engine = new CorrelationEngine(parsed.correlations, base.rules);
      expect(engine.problems.length).toBeGreaterThan(0);
      expect(engine.problems.map((p) => p.reason).join('\n')).toContain(testCase.error);
    });
  }
});

describe('correlation state', () => {
  const [rule] = parseSigmaText(
    'title: Per Address\nid: per-address\ncorrelation:\n  type: event_count\n  rules: [login_failed]\n  group-by: [c-ip]\n  timespan: 1m\n  condition: {gte: 3}\n',
    'inline.yml',
  ).correlations;
  const failure = (n: number, ip: string, second: number): SecurityEvent =>
    securityEventSchema.parse({
      id: `evt_01KF${String(n).padStart(22, '0')}`,
      time: new Date(Date.UTC(2026, 2, 1, 0, 0, second)).toISOString(),
      kind: 'business',
      source: { type: 'shop', name: 'demo' },
      client: { ip },
      business: { type: 'login', outcome: 'failure' },
    });
  const loginFailed = base.rules.find((r) => r.name === 'login_failed')!;
  const matchOf = (event: SecurityEvent) => [
    {
      ruleId: loginFailed.id,
      title: '',
      level: 'low' as const,
      tags: [],
      eventId: event.id,
      eventTime: event.time,
      logsource: '',
      fields: {},
    },
  ];

  it('keeps at most maxKeysPerRule groups, evicting the stalest', () => {
    const engine = new CorrelationEngine([rule!], base.rules, { maxKeysPerRule: 100 });
    for (let i = 0; i < 1_000; i++) {
      const event = failure(i, `10.0.${i >> 8}.${i & 255}`, 0);
      engine.observe(event, matchOf(event));
    }
    expect(engine.stats()).toEqual([{ ruleId: 'per-address', keys: 100, expired: 0, evicted: 900 }]);
  });

  it('expires groups idle for longer than the timespan, by event time', () => {
    const engine = new CorrelationEngine([rule!], base.rules, { sweepEveryMs: 1_000 });
    for (let i = 0; i < 50; i++) {
      const event = failure(i, `10.1.0.${i}`, 0);
      engine.observe(event, matchOf(event));
    }
    const later = failure(99, '10.9.9.9', 61);
    engine.observe(later, matchOf(later));
    expect(engine.stats()).toEqual([{ ruleId: 'per-address', keys: 1, expired: 50, evicted: 0 }]);
  });

  it('counts an event older than the latest at the latest time seen', () => {
    const engine = new CorrelationEngine([rule!], base.rules);
    const events = [failure(1, '10.2.0.1', 30), failure(2, '10.2.0.1', 0), failure(3, '10.2.0.1', 31)];
    const fired = events.flatMap((event) => engine.observe(event, matchOf(event)));
    expect(fired.map((m) => [m.count, m.firstTime, m.lastTime])).toEqual([
      [3, '2026-03-01T00:00:30.000Z', '2026-03-01T00:00:31.000Z'],
    ]);
  });
});
