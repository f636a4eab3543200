/**
 * The Sigma engine end to end (detect/sigma): rules from fixtures/rules/1-good, events from
 * fixtures/engine-profiles.json with the rules expected to fire; log sources we do not feed and
 * fields nobody maps; the loader's problem report against fixtures/load-expected.json.
 */
import { readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { securityEventSchema } from '../../core/records/security-event.js';
import type { SecurityEvent } from '../../core/records/security-event.js';
import { createFieldMap, createSigmaEngine, loadSigmaRules, parseSigmaText, problemText } from './index.js';
import type { LoadedSigmaRules, SigmaEngine } from './index.js';

const fixtures = join(import.meta.dirname, 'fixtures');
const readJson = <T>(name: string): T => JSON.parse(readFileSync(join(fixtures, name), 'utf8')) as T;
const profiles =
  readJson<Array<{ why: string; event: SecurityEvent; expected: string[] }>>('engine-profiles.json');

describe('sigma engine', () => {
  let loaded: LoadedSigmaRules;
  let engine: SigmaEngine;
  beforeAll(async () => {
    loaded = await loadSigmaRules(join(fixtures, 'rules'));
    engine = createSigmaEngine(loaded.rules);
  });

  for (const profile of profiles) {
    it(`${profile.why}: fires ${JSON.stringify(profile.expected)}`, () => {
      const event = securityEventSchema.parse(profile.event);
      expect(engine.evaluate(event).map((m) => m.ruleId)).toEqual(profile.expected);
    });
  }

  it('reports a match with the rule, the event and the rule’s fields', () => {
    const event = securityEventSchema.parse(profiles[0]!.event);
    expect(engine.evaluate(event)).toEqual([
      {
        ruleId: '7d0c3f1e-0001-4b7e-9a35-000000000001',
        title: 'Admin Console Probe',
        level: 'high',
        tags: ['attack.reconnaissance', 'attack.t1595'],
        eventId: event.id,
        eventTime: event.time,
        logsource: 'webserver',
        fields: { 'c-ip': '203.0.113.7', 'cs-uri-stem': '/phpmyadmin/index.php' },
      },
    ]);
  });

  it('merges an action: global document into the documents after it', () => {
    const [one, two] = loaded.rules.filter((r) => r.file.endsWith('multi_documents.yml'));
    expect([one?.level, one?.tags, two?.level]).toEqual(['low', ['attack.initial-access'], 'medium']);
  });

  it('keeps a rule whose log source we do not feed, inactive, with the reason', () => {
    const status = engine.rules.find((s) => s.rule.id === '7d0c3f1e-0001-4b7e-9a35-000000000004');
    expect(status?.active).toBe(false);
    expect(status?.inactiveReason).toMatch(
      /^log source 'process_creation\/windows' is not fed \(we feed: webserver, proxy/,
    );
  });

  it('keeps a rule that names an unmapped field inactive until the field map learns it', () => {
    const id = '7d0c3f1e-0001-4b7e-9a35-000000000005';
    expect(engine.rules.find((s) => s.rule.id === id)?.inactiveReason).toBe(
      "field 'cs-x-forwarded-proto' has no mapping; add one to the field map",
    );
    const fieldMap = createFieldMap({
      fields: [{ field: 'cs-x-forwarded-proto', from: ['labels.forwarded-proto'] }],
    });
    const extended = createSigmaEngine(loaded.rules, { fieldMap });
    expect(extended.rules.find((s) => s.rule.id === id)?.active).toBe(true);
    const event = securityEventSchema.parse({
      ...profiles[0]!.event,
      labels: { 'forwarded-proto': 'GOPHER' },
    });
    expect(extended.evaluate(event).map((m) => m.ruleId)).toContain(id);
  });

  it('reads only the event’s own fields: a path into a prototype or an object is no value', () => {
    const { rules } = parseSigmaText(
      [
        'title: Prototype',
        'id: proto',
        'logsource: { product: ensuresec }',
        'detection:',
        '  a: { labels.constructor|exists: true }',
        '  c: { labels.toString|contains: function }',
        '  condition: 1 of them',
      ].join('\n'),
      'inline.yml',
    );
    const engine = createSigmaEngine(rules);
    expect(engine.activeCount).toBe(1);
    expect(engine.evaluate(securityEventSchema.parse(profiles[0]!.event))).toEqual([]);
  });

  it('reads apache error-log rules from log events of that format', () => {
    const [rule] = parseSigmaText(
      [
        'title: Segfault',
        'id: seg',
        'logsource: { service: apache }',
        'detection:',
        "  keywords: ['exit signal Segmentation Fault']",
        '  condition: keywords',
      ].join('\n'),
      'inline.yml',
    ).rules;
    const apache = createSigmaEngine([rule!]);
    const logEvent = (format: string): SecurityEvent =>
      securityEventSchema.parse({
        id: 'evt_01KD0000000000000000000001',
        time: '2026-02-01T08:00:00.000Z',
        kind: 'log',
        source: { type: 'file', name: 'error.log' },
        log: { line: '[core:notice] child pid 7 exit signal Segmentation fault (11)', format },
      });
    expect(apache.evaluate(logEvent('apache_error')).map((m) => m.ruleId)).toEqual(['seg']);
    expect(apache.evaluate(logEvent('nginx_error'))).toEqual([]);
  });

  it('reports every file that does not load, with its reason, and loads the others', async () => {
    const result = await loadSigmaRules([join(fixtures, 'rules'), join(fixtures, 'missing-directory')]);
    const expected = readJson<{
      files: number;
      rules: string[];
      problems: Array<{ file: string; document?: number; reason: string }>;
    }>('load-expected.json');
    expect(result.files).toBe(expected.files);
    expect(result.rules.map((r) => r.id)).toEqual(expected.rules);
    const problems = result.problems.map((p) => ({
      file: relative(join(fixtures, 'rules'), p.file).replace(/^\.\.\//, ''),
      document: p.document,
      reason: p.reason,
    }));
    expect(problems).toHaveLength(expected.problems.length);
    for (const want of expected.problems) {
      const found = problems.find((p) => p.file === want.file && p.document === want.document);
      expect(found, want.file).toBeDefined();
      expect(found!.reason).toContain(want.reason);
    }
    const aggregation = result.problems.find((p) => p.file.endsWith('aggregation.yml'))!;
    expect(problemText(aggregation)).toMatch(/aggregation\.yml#1: detection 'timeframe'/);
  });
});
