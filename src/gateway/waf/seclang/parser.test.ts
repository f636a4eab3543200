/**
 * Parser tests: fixtures/parse-cases.json is a table of SecLang inputs and the items (a subset
 * of each RuleSpec / config item) they must parse into; then continuation lines and the
 * small argument languages of setvar and ctl.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parseCtl, parseCtlTargetRemoval, parseSetvar } from './actions.js';
import { splitLogicalLines } from './lexer.js';
import { parseSecLang } from './parser.js';

const fixtures = path.join(path.dirname(fileURLToPath(import.meta.url)), 'fixtures');
const location = { file: 'inline.conf', line: 1 };

interface ParseCase {
  name: string;
  input: string;
  items: unknown[];
}

const parseCases = JSON.parse(readFileSync(path.join(fixtures, 'parse-cases.json'), 'utf8')) as ParseCase[];

describe('SecLang parser', () => {
  it.each(parseCases.map((testCase) => [testCase.name, testCase] as const))(
    'parses %s',
    (_name, testCase) => {
      expect(parseSecLang(testCase.input, 'inline.conf')).toMatchObject(testCase.items);
    },
  );

  it('joins continuation lines, drops comments and reports the first line of each directive', () => {
    const items = parseSecLang(
      readFileSync(path.join(fixtures, 'continuation.conf'), 'latin1'),
      'continuation.conf',
    );
    expect(items).toMatchObject([
      {
        rule: {
          location: { file: 'continuation.conf', line: 2 },
          actions: [
            { name: 'id', param: '1' },
            { name: 'phase' },
            { name: 'msg', param: 'one two' },
            { name: 'pass' },
          ],
        },
      },
      { rule: { kind: 'action', location: { line: 11 }, actions: [{ name: 'id', param: '2' }, {}, {}, {}] } },
      {
        rule: {
          location: { line: 12 },
          actions: [{}, {}, {}, { name: 't', param: 'none' }, { name: 't', param: 'lowercase' }],
        },
      },
    ]);
    expect(items).toHaveLength(3);
  });

  it('reads CRLF files like LF files', () => {
    const lines = splitLogicalLines(
      'SecRule ARGS "@rx a" \\\r\n    "id:1,phase:1,pass"\r\n\r\n# c\r\nSecMarker X\r\n',
    );
    expect(lines).toEqual([
      { text: 'SecRule ARGS "@rx a" "id:1,phase:1,pass"', line: 1 },
      { text: 'SecMarker X', line: 5 },
    ]);
  });
});

describe('setvar and ctl arguments', () => {
  it.each([
    [
      'tx.anomaly_score=+%{tx.critical_anomaly_score}',
      {
        collection: 'TX',
        key: 'anomaly_score',
        operation: 'increment',
        value: '%{tx.critical_anomaly_score}',
      },
    ],
    ['tx.score=-5', { collection: 'TX', key: 'score', operation: 'decrement', value: '5' }],
    ['TX.%{rule.id}-match=1', { collection: 'TX', key: '%{rule.id}-match', operation: 'set', value: '1' }],
    ['!ip.blocked', { collection: 'IP', key: 'blocked', operation: 'delete' }],
    ['tx.flag', { collection: 'TX', key: 'flag', operation: 'set' }],
  ])('parses setvar:%s', (param, expected) => {
    expect(parseSetvar(param, location)).toEqual(expected);
  });

  it('rejects a setvar without a collection', () => {
    expect(() => parseSetvar('score=1', location)).toThrow(/expected collection\.name/);
  });

  it('splits ctl options and target removals', () => {
    expect(parseCtl('RULEREMOVETARGETBYID=920450;REQUEST_HEADERS:foo', location)).toEqual({
      option: 'ruleRemoveTargetById',
      value: '920450;REQUEST_HEADERS:foo',
    });
    expect(parseCtlTargetRemoval('920450;REQUEST_HEADERS:foo|!ARGS:/^x/', location)).toEqual({
      selector: '920450',
      targets: [
        { collection: 'REQUEST_HEADERS', key: 'foo' },
        { collection: 'ARGS', key: '^x', keyIsRegex: true, exclude: true },
      ],
    });
    expect(() => parseCtlTargetRemoval('920450', location)).toThrow(/SELECTOR;TARGETS/);
  });
});
