/**
 * SecUnicodeMapFile and the unicode map (gateway/waf/unicode): ModSecurity's unicode.mapping
 * format and its parsing quirks (fixtures/quirks.mapping), our derived code page 20127 table,
 * `t:urlDecodeUni` through a map, the directive's load errors, and the requests where nginx +
 * ModSecurity 3.0.9 and the gateway differed before the map (fixtures/differences.json, with the
 * real CRS at PL1).
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createWafEngine, type WafEngine } from '../engine/engine.js';
import type { WafRequest } from '../engine/transaction.js';
import { WafLoadError } from '../seclang/errors.js';
import { loadRuleFiles } from '../seclang/loader.js';
import { createUrlDecodeUni, urlDecodeUni } from '../transformations/url-decode-uni.js';
import { utf8toUnicode } from '../transformations/utf8-to-unicode.js';
import { CP20127, CP20127_MAPPING } from './cp20127.js';
import { countMapped, parseUnicodeMapping, UnicodeMapError } from './unicode-map.js';
import { cp20127MappingText } from './testing/derive-cp20127.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const fixtures = path.join(here, 'fixtures');
const crsDir = process.env.ENSURESEC_CRS_DIR ?? path.resolve(here, '../../../../../shared/crs');
const quirks = readFileSync(path.join(fixtures, 'quirks.mapping'), 'latin1');

describe('parseUnicodeMapping (unicode.mapping format)', () => {
  const table = parseUnicodeMapping(quirks, 20127);

  it("reads the named code page's pairs, not another section's", () => {
    expect(table[0x2019]).toBe(0x27); // 1250 maps it to 0x41
    expect(table[0x201c]).toBe(0x22);
    expect(table[0xff01]).toBe(-1); // only in 1250
    expect(table[0x2018]).toBe(-1); // only in 20261, after ours ended
  });

  it('reads each side as strtol(..., 16) does, keeps the low byte, skips code points over 0xFFFF', () => {
    expect(table[0x00e9]).toBe(0x65); // 0x00e9:65
    expect(table[0xff5e]).toBe(0x7e); // ff5e:17e
    expect(table[0x2345]).toBe(-1); // 12345:41 is out of range, not truncated
    expect(table[0x2013]).toBe(0x2d); // :2013:2d, leading colon skipped as strtok_r does
  });

  it("always maps ModSecurity's four label dots to '.'", () => {
    for (const codePoint of [0x002e, 0x3002, 0xff0e, 0xff61]) expect(table[codePoint]).toBe(0x2e);
  });

  it('refuses a code page the file lacks', () => {
    expect(() => parseUnicodeMapping(quirks, 437)).toThrow(UnicodeMapError);
    expect(() => parseUnicodeMapping(quirks, 437)).toThrow(/code page 437/);
  });
});

describe('our code page 20127 table', () => {
  const table = parseUnicodeMapping(CP20127_MAPPING, CP20127);

  it('is exactly what testing/derive-cp20127.ts derives (regenerate cp20127.ts if not)', () => {
    expect(CP20127_MAPPING).toBe(cp20127MappingText());
  });

  it('maps typographic quotes, dashes, spaces and dots to ASCII', () => {
    const expected: Array<[number, string]> = [
      [0x2018, "'"],
      [0x2019, "'"],
      [0x201a, ','],
      [0x201c, '"'],
      [0x201d, '"'],
      [0x201e, '"'],
      [0x2032, "'"],
      [0x02bc, "'"],
      [0x2013, '-'],
      [0x2014, '-'],
      [0x00ad, '-'],
      [0x2039, '<'],
      [0x203a, '>'],
      [0x00ab, '<'],
      [0x00bb, '>'],
      [0x00a0, ' '],
      [0x2002, ' '],
      [0x2026, '.'],
      [0x2022, '.'],
    ];
    for (const [codePoint, char] of expected)
      expect([codePoint, table[codePoint]]).toEqual([codePoint, char.charCodeAt(0)]);
  });

  it('maps full-width ASCII U+FF01-U+FF5E to U+0021-U+007E and accented letters to their base', () => {
    for (let codePoint = 0xff01; codePoint <= 0xff5e; codePoint++)
      expect(table[codePoint]).toBe(codePoint - 0xfee0);
    expect(table[0x00e9]).toBe(0x65); // é
    expect(table[0x0141]).toBe(0x4c); // Ł
    expect(table[0x00c6]).toBe(0x41); // Æ
  });

  it('leaves scripts without an ASCII look-alike unmapped', () => {
    expect(table[0x0416]).toBe(-1); // Ж
    expect(table[0x4e2d]).toBe(-1); // 中
    expect(table[0x3000]).toBe(-1); // ideographic space: not in the blocks we derive
    // 444 pairs, plus the built-in dots U+002E, U+3002 and U+FF61 (U+FF0E is a pair).
    expect(countMapped(table)).toBe(447);
  });
});

describe('t:urlDecodeUni with a unicode map', () => {
  const table = parseUnicodeMapping(CP20127_MAPPING, CP20127);
  const mapped = createUrlDecodeUni(table);

  it('decodes %uHHHH to its best fit, and unmapped code points to their low byte as before', () => {
    expect(mapped('admin%u2019--')).toBe("admin'--");
    expect(urlDecodeUni('admin%u2019--')).toBe('admin\x19--');
    expect(mapped('%U201Cx%u201d')).toBe('"x"');
    expect(mapped('%u0416')).toBe('\x16');
    expect(mapped('%u3002')).toBe('.');
    expect(mapped('%uff1cscript%uff1e')).toBe('<script>');
  });

  it("turns UTF-8 quotes into ASCII after utf8toUnicode, as CRS's SQLi rules run them", () => {
    const utf8 = Buffer.from('admin’--', 'utf8').toString('latin1');
    expect(mapped(utf8toUnicode(utf8))).toBe("admin'--");
    expect(urlDecodeUni(utf8toUnicode(utf8))).toBe('admin\x19--');
  });
});

describe('SecUnicodeMapFile', () => {
  function firstRule(engine: WafEngine, uri: string): number | undefined {
    const tx = engine.newTransaction({
      remoteAddr: '198.51.100.7',
      method: 'GET',
      uri,
      protocol: 'HTTP/1.1',
      headers: [['Host', 'shop.example']],
    });
    return tx.processRequestHeaders()?.ruleId;
  }

  it('loads the file relative to the rule file and applies it to t:urlDecodeUni only', () => {
    const ruleSet = loadRuleFiles([path.join(fixtures, 'map.conf')]);
    expect(ruleSet.settings.unicodeMapFile).toMatchObject({
      file: path.join(fixtures, 'quirks.mapping'),
      codePage: 20127,
    });
    const engine = createWafEngine(ruleSet);
    expect(firstRule(engine, '/?q=admin%E2%80%99--')).toBe(1);
    // jsDecode's \uHHHH keeps the low byte: ModSecurity v3 reads no map there.
    expect(firstRule(engine, '/?j=%5Cu2019')).toBe(2);
  });

  it.each([
    ['unknown-codepage.conf', 1, /code page 437 is not in the file/],
    ['missing-file.conf', 3, /cannot read .*no-such\.mapping/],
    ['no-codepage.conf', 1, /takes a file and a code page/],
  ])('refuses %s with file:line', (file, line, reason) => {
    let error: unknown;
    try {
      loadRuleFiles([path.join(fixtures, file)]);
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(WafLoadError);
    expect((error as WafLoadError).line).toBe(line);
    expect((error as WafLoadError).file).toBe(path.join(fixtures, file));
    expect((error as WafLoadError).reason).toMatch(reason);
  });
});

interface DifferenceCase {
  name: string;
  uri: string;
  withMap: { blocked: boolean; rules: number[] };
  withoutMap: { blocked: boolean; rules: number[] };
}

describe('the requests nginx + ModSecurity judged differently, with CRS 4.28.0 at PL1', () => {
  const cases = (
    JSON.parse(readFileSync(path.join(fixtures, 'differences.json'), 'utf8')) as { cases: DifferenceCase[] }
  ).cases;
  let dir: string;
  let withMap: WafEngine;
  let withoutMap: WafEngine;

  beforeAll(() => {
    // The default setup's files: the map next to a settings file that names it.
    dir = mkdtempSync(path.join(tmpdir(), 'ensuresec-unicode-'));
    writeFileSync(path.join(dir, 'unicode.mapping'), CP20127_MAPPING);
    writeFileSync(path.join(dir, 'settings.conf'), `SecUnicodeMapFile unicode.mapping ${CP20127}\n`);
    const crs = [path.join(crsDir, 'crs-setup.conf.example'), path.join(crsDir, 'rules', '*.conf')];
    withMap = createWafEngine(loadRuleFiles([path.join(dir, 'settings.conf'), ...crs]));
    withoutMap = createWafEngine(loadRuleFiles(crs));
  });

  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  function judge(engine: WafEngine, uri: string): { blocked: boolean; rules: number[] } {
    const request: WafRequest = {
      remoteAddr: '198.51.100.7',
      method: 'GET',
      uri,
      protocol: 'HTTP/1.1',
      headers: [
        ['Host', 'localhost'],
        ['User-Agent', 'Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0'],
        ['Accept', 'text/html'],
      ],
    };
    const tx = engine.newTransaction(request);
    tx.processRequestHeaders();
    tx.processRequestBody();
    const result = tx.processLogging();
    return { blocked: result.interruption !== null, rules: result.matchedRules.map((match) => match.id) };
  }

  it.each(cases.map((testCase) => [testCase.name, testCase] as const))('%s', (_name, testCase) => {
    const mapped = judge(withMap, testCase.uri);
    const unmapped = judge(withoutMap, testCase.uri);
    expect(mapped.blocked).toBe(testCase.withMap.blocked);
    expect(unmapped.blocked).toBe(testCase.withoutMap.blocked);
    for (const id of testCase.withMap.rules) expect(mapped.rules).toContain(id);
    for (const id of testCase.withoutMap.rules) expect(unmapped.rules).toContain(id);
  });
});
