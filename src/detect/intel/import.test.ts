import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { importIndicatorFile, importIndicatorText, intelProblemText, parseStixPattern } from './index.js';
import { STIX_IDENTIFIER_PATTERN, STIX_TIMESTAMP_PATTERN } from './stix.js';

const fixture = (name: string) => new URL(`./fixtures/${name}`, import.meta.url).pathname;
const names = (result: { indicators: Array<{ type: string; value: string }> }) =>
  result.indicators.map((i) => `${i.type}:${i.value}`);
const STIX_SCHEMAS = '/work/shared/reference/stix2.1-schemas';

describe('CSV indicator files', () => {
  it('reads columns by their header names, in any order, with quotes and defaults', async () => {
    const result = await importIndicatorFile(fixture('feed.csv'));
    expect(names(result)).toEqual([
      'ip:198.51.100.7',
      'cidr:203.0.113.0/24',
      'ip:2001:db8::dead',
      'cidr:2001:db8:bad::/48',
      'domain:evil.example',
      'url:shop-login.example/wp-admin/pay.php?step=2',
      'hash:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
      'ja4:t13d1516h2_8daaf6152771_b186095e22b6',
      'hash:d41d8cd98f00b204e9800998ecf8427e',
    ]);
    const [first] = result.indicators;
    expect(first).toMatchObject({
      source: 'abuse-feed',
      confidence: 90,
      tags: ['botnet', 'c2'],
      validFromMs: Date.parse('2026-01-01T00:00:00Z'),
      validUntilMs: Date.parse('2026-12-31T00:00:00Z'),
      description: 'C2 server, seen in "campaign X"',
    });
    expect(result.indicators[2]?.source).toBe('feed.csv');
    expect(result.indicators[4]?.tags).toEqual(['phishing', 'kit']);
    expect(result.indicators[7]).toMatchObject({ confidence: 85, source: 'ja4-feed' });
    expect(result.indicators[8]?.algorithm).toBe('md5');
    expect(result.ignoredColumns).toEqual(['first_seen']);
  });

  it('reports each broken row with its line and reason, and keeps the others', async () => {
    const result = await importIndicatorFile(fixture('feed.csv'));
    expect(result.problems.map((p) => [p.line, p.reason])).toEqual([
      [13, expect.stringContaining('"not-an-address" is not a valid ip')],
      [14, expect.stringContaining('confidence "150"')],
      [15, expect.stringContaining('valid_from "next tuesday"')],
      [16, 'valid_until is not after valid_from'],
      [17, expect.stringContaining('unknown indicator type "mutex"')],
      [18, 'the value is a md5 digest, not sha1'],
      [19, '10 fields, but the header has 9'],
    ]);
    expect(
      result.problems.every((p) => p.code === 'intel_import_invalid' && p.file.endsWith('feed.csv')),
    ).toBe(true);
    expect(intelProblemText(result.problems[0]!)).toMatch(/feed\.csv:13: /);
  });

  it('refuses a file without a value column, naming the header', async () => {
    const result = await importIndicatorFile(fixture('no-value-column.csv'));
    expect(result.indicators).toEqual([]);
    expect(result.problems).toEqual([
      expect.objectContaining({ line: 1, reason: expect.stringContaining('no "value" column') }),
    ]);
  });

  it('reports a quote never closed at the line it opened on, keeping the rows before', async () => {
    const result = await importIndicatorFile(fixture('unclosed-quote.csv'));
    expect(names(result)).toEqual(['ip:198.51.100.20']);
    expect(result.problems).toEqual([
      expect.objectContaining({ line: 3, reason: expect.stringContaining('never closed') }),
    ]);
  });
});

describe('plain lists', () => {
  it('detects each type, skips comments and blank lines, refangs values', async () => {
    const result = await importIndicatorFile(fixture('blocklist.txt'), {
      source: 'blocklist',
      confidence: 60,
      tags: ['list'],
    });
    expect(names(result)).toEqual([
      'ip:198.51.100.30',
      'ip:198.51.100.31',
      'ip:2001:db8:ffff::1',
      'cidr:192.0.2.0/25',
      'domain:bad-actor.example',
      'url:dropper.example/bin/x.sh',
      'hash:0123456789abcdef0123456789abcdef01234567',
      'ja4:t13d190900_9dc949149365_97f8aa674fd9',
    ]);
    expect(
      result.indicators.every((i) => i.source === 'blocklist' && i.confidence === 60 && i.tags[0] === 'list'),
    ).toBe(true);
    expect(result.problems.map((p) => [p.line, p.reason])).toEqual([
      [11, expect.stringContaining('cannot tell what "this is not an indicator" is')],
      [12, expect.stringContaining('cannot tell what "999.1.1.1" is')],
    ]);
  });

  it('reports a file that cannot be read instead of throwing', async () => {
    const result = await importIndicatorFile(fixture('missing.txt'));
    expect(result.problems).toEqual([expect.objectContaining({ reason: 'cannot read the file: ENOENT' })]);
  });
});

describe('STIX 2.1 bundles', () => {
  it('turns OR-ed value comparisons into indicators and reports what it cannot use', async () => {
    const result = await importIndicatorFile(fixture('bundle-valid.json'));
    expect(names(result)).toEqual([
      'ip:198.51.100.40',
      'domain:skim.example',
      'cidr:203.0.113.128/25',
      'cidr:2001:db8:c0:ffee::/64',
      'url:skim.example:8443/gate.php',
      'hash:aec070645fe53ee3b3763059376134f058cc337247c978add178b6ccdfb0019f',
      'hash:001dd76872d80801692ff942308c64e6',
    ]);
    expect(result.indicators[0]).toMatchObject({
      confidence: 90,
      source: 'bundle-valid.json',
      stixId: 'indicator--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f',
      validFromMs: Date.parse('2026-01-10T08:00:00Z'),
      validUntilMs: Date.parse('2026-07-10T08:00:00Z'),
      tags: ['malicious-activity'],
      description: 'Card-skimmer C2 infrastructure',
    });
    expect(result.indicators[3]?.confidence).toBe(50);
    expect(result.indicators[3]?.tags).toEqual(['magecart']);
    expect(result.problems.map((p) => [p.object, p.reason])).toEqual([
      [
        'objects[3] indicator--c8d9b3e3-4f1b-4b8e-8c55-2e2f3c0e9a01',
        expect.stringMatching(/file:name = 'skimmer\.js'.*object path file:name is not supported/),
      ],
      [
        'objects[4] indicator--0f4e5b1d-2a3c-4d5e-8f60-718293a4b5c6',
        expect.stringContaining('joined by AND'),
      ],
      [
        'objects[5] indicator--9a8b7c6d-5e4f-4a3b-9c2d-1e0f9a8b7c6d',
        expect.stringContaining('only "= \'string\'" comparisons'),
      ],
      [
        'objects[6] indicator--6a1f2e3d-4c5b-4a69-8788-99aabbccddee',
        expect.stringContaining('qualifier REPEATS'),
      ],
    ]);
    expect(result.skippedObjects).toEqual({ identity: 1, relationship: 1 });
  });

  it('reports every invalid object with its index, id and reason, and imports the valid one', async () => {
    const result = await importIndicatorFile(fixture('bundle-invalid-objects.json'));
    expect(names(result)).toEqual(['ip:198.51.100.57']);
    const byObject = Object.fromEntries(result.problems.map((p) => [p.object, p.reason]));
    expect(byObject).toEqual({
      'objects[0] indicator--11111111-1111-4111-8111-111111111111': expect.stringContaining('spec_version'),
      'objects[1] indicator--not-a-uuid': expect.stringMatching(
        /^invalid indicator: id: must be indicator--<uuid>/,
      ),
      'objects[2] indicator--33333333-3333-4333-8333-333333333333': expect.stringContaining('valid_from'),
      'objects[3] indicator--44444444-4444-4444-8444-444444444444':
        'pattern_type "snort" is not supported (only stix)',
      'objects[4] indicator--55555555-5555-4555-8555-555555555555': 'revoked by its producer; not imported',
      'objects[5] indicator--66666666-6666-4666-8666-666666666666': expect.stringContaining(
        'created: must be precise to the millisecond',
      ),
      'objects[6] indicator--77777777-7777-4777-8777-777777777777': 'valid_until is not after valid_from',
      'objects[7] indicator--88888888-8888-4888-8888-888888888888': expect.stringContaining('confidence'),
      'objects[8] indicator--99999999-9999-4999-8999-999999999999': expect.stringContaining(
        '"evil.example" is not a valid ip',
      ),
      'objects[9] indicator--aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa': expect.stringContaining(
        'expected "]" but found the end',
      ),
      'objects[10]': expect.stringContaining('not a STIX object'),
    });
  });

  it('refuses text that is not JSON, and JSON that is not a bundle, saying why', async () => {
    const notJson = await importIndicatorFile(fixture('bundle-truncated.stix'), { format: 'stix' });
    expect(notJson.problems).toEqual([
      expect.objectContaining({ reason: expect.stringMatching(/^not JSON: /) }),
    ]);
    const wrongShape = await importIndicatorFile(fixture('bundle-wrong-shape.json'));
    expect(wrongShape.indicators).toEqual([]);
    expect(wrongShape.problems[0]?.reason).toMatch(
      /^not a STIX 2\.1 bundle: id: must be bundle--<uuid>; objects: a bundle has at least one object/,
    );
  });

  it.skipIf(!existsSync(STIX_SCHEMAS))(
    'uses the identifier and timestamp patterns of the OASIS schemas',
    () => {
      const identifier = JSON.parse(
        readFileSync(`${STIX_SCHEMAS}/schemas/common/identifier.json`, 'utf8'),
      ) as { pattern: string };
      const timestamp = JSON.parse(readFileSync(`${STIX_SCHEMAS}/schemas/common/timestamp.json`, 'utf8')) as {
        pattern: string;
      };
      expect(STIX_IDENTIFIER_PATTERN).toBe(identifier.pattern);
      expect(STIX_TIMESTAMP_PATTERN).toBe(timestamp.pattern);
    },
  );

  it.skipIf(!existsSync(STIX_SCHEMAS))('imports the OASIS APT1 and Poison Ivy example reports', () => {
    const apt1 = importIndicatorText(
      readFileSync(`${STIX_SCHEMAS}/examples/threat-reports/apt1.json`, 'utf8'),
      'stix',
      'apt1.json',
    );
    expect(apt1.indicators.map((i) => i.type).sort()).toEqual([
      'cidr',
      'cidr',
      'cidr',
      'cidr',
      'domain',
      'domain',
      'domain',
      'hash',
      'hash',
      'hash',
    ]);
    expect(apt1.problems).toHaveLength(2);
    expect(apt1.problems.every((p) => p.reason.includes('joined by AND'))).toBe(true);
    const poisonIvy = importIndicatorText(
      readFileSync(`${STIX_SCHEMAS}/examples/threat-reports/poisonivy.json`, 'utf8'),
      'stix',
      'poisonivy.json',
    );
    expect(poisonIvy.indicators.length).toBeGreaterThan(50);
    const reasons = poisonIvy.problems.map((p) => p.reason);
    expect(reasons.some((r) => r.includes('"domain autuo.xicp.net" is not a valid domain'))).toBe(true);
    expect(reasons.some((r) => r.includes('object path file:name is not supported'))).toBe(true);
  });
});

describe('STIX patterns', () => {
  it.each([
    ["[ipv4-addr:value = '10.0.0.1']", ['ipv4-addr:value=10.0.0.1']],
    ["[ ipv4-addr:value = '10.0.0.0' ]", ['ipv4-addr:value=10.0.0.0']],
    [
      "[file:hashes.'SHA-256' = 'ab' OR (url:value = 'http://x/\\'q')]",
      ["file:hashes.'SHA-256'=ab", "url:value=http://x/'q"],
    ],
    [
      "[domain-name:value = 'a.example'] OR ([domain-name:value = 'b.example'])",
      ['domain-name:value=a.example', 'domain-name:value=b.example'],
    ],
  ])('reads %s', (pattern, expected) => {
    const result = parseStixPattern(pattern);
    expect(
      'comparisons' in result && result.comparisons.map((c) => `${c.path}${c.operator}${c.value}`),
    ).toEqual(expected);
  });

  it.each([
    ["[ipv4-addr:value = '10.0.0.1'] AND [domain-name:value = 'x.example']", 'joined by AND'],
    ["[ipv4-addr:value = '10.0.0.1'] FOLLOWEDBY [domain-name:value = 'x.example']", 'joined by FOLLOWEDBY'],
    ["[ipv4-addr:value = '10.0.0.1'] WITHIN 10 SECONDS", 'qualifier WITHIN'],
    ["[NOT ipv4-addr:value = '10.0.0.1']", 'negated'],
    ["[ipv4-addr:value = '10.0.0.1'", 'expected "]"'],
    ["[ipv4-addr:value = '10.0.0.1]", 'never closed'],
    ['', 'empty'],
    ['[ipv4-addr:value = 10 ; ]', 'unexpected ";"'],
  ])('refuses %s', (pattern, reason) => {
    const result = parseStixPattern(pattern);
    expect('error' in result && result.error).toContain(reason);
  });
});
