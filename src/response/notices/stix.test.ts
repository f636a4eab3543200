/**
 * The STIX 2.1 bundle builder, validated against the OASIS JSON schemas in
 * ../shared/reference/stix2.1-schemas (read by this test only, never by the product).
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { describe, expect, it } from 'vitest';
import { stixPatternOf } from './indicators.js';
import { partnerFactsSchema } from './partner-notice.js';
import { buildStixBundle, type StixBundle } from './stix.js';

const SCHEMAS_DIR = fileURLToPath(
  new URL('../../../../shared/reference/stix2.1-schemas/schemas/', import.meta.url),
);
const SCHEMA_BASE = 'http://raw.githubusercontent.com/oasis-open/cti-stix2-json-schemas/stix2.1/schemas/';

function schemaFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? schemaFiles(path) : name.endsWith('.json') ? [path] : [];
  });
}

// The schemas use keywords strict mode rejects and `\-` in patterns, which is invalid under the `u` flag.
const ajv = new Ajv2020({ strict: false, allErrors: true, validateFormats: false, unicodeRegExp: false });
for (const file of schemaFiles(SCHEMAS_DIR)) ajv.addSchema(JSON.parse(readFileSync(file, 'utf8')) as object);

const SCHEMA_OF_TYPE: Record<string, string> = {
  identity: 'sdos/identity.json',
  indicator: 'sdos/indicator.json',
  'course-of-action': 'sdos/course-of-action.json',
  sighting: 'sros/sighting.json',
  relationship: 'sros/relationship.json',
};

function validate(schemaPath: string, value: unknown): string[] {
  const check = ajv.getSchema(`${SCHEMA_BASE}${schemaPath}`);
  if (!check) throw new Error(`schema ${schemaPath} not loaded`);
  return check(value) ? [] : (check.errors ?? []).map((error) => `${error.instancePath} ${error.message}`);
}

const facts = partnerFactsSchema.parse(
  JSON.parse(readFileSync(new URL('./fixtures/partner-facts.json', import.meta.url), 'utf8')),
);

function bundle(): StixBundle {
  return buildStixBundle({
    shopName: 'Demo Shop',
    reference: 'inc_01JD3Q7Z9X8K2M4N6P8R0T2V4W',
    facts,
    now: '2026-11-26T21:05:00Z',
  });
}

describe('STIX 2.1 bundle', () => {
  it('is a valid bundle, and each object is valid against its own schema', () => {
    const built = bundle();
    expect(validate('common/bundle.json', built)).toEqual([]);
    for (const object of built.objects) {
      const schema = SCHEMA_OF_TYPE[object.type];
      expect(schema, `no schema for ${object.type}`).toBeDefined();
      expect(validate(schema as string, object), `${object.type} ${object.id}`).toEqual([]);
    }
  });

  it('is checked by a harness that does reject broken objects', () => {
    const indicator = bundle().objects.find((object) => object.type === 'indicator');
    const { pattern: _pattern, ...withoutPattern } = indicator as Record<string, unknown>;
    expect(validate('sdos/indicator.json', withoutPattern)).not.toEqual([]);
    expect(validate('sdos/indicator.json', { ...indicator, created: '2026-11-26 21:05' })).not.toEqual([]);
  });

  it('holds the shop identity, an indicator and a sighting per indicator, and the courses of action', () => {
    const built = bundle();
    const count = (type: string) => built.objects.filter((object) => object.type === type).length;
    expect(count('identity')).toBe(1);
    expect(count('indicator')).toBe(facts.indicators.length);
    expect(count('sighting')).toBe(facts.indicators.length);
    expect(count('course-of-action')).toBe(facts.recommendedActions.length);
    expect(count('relationship')).toBe(facts.indicators.length * facts.recommendedActions.length);
    const ids = new Set(built.objects.map((object) => object.id));
    expect(ids.size).toBe(built.objects.length);
    for (const object of built.objects) {
      for (const key of ['created_by_ref', 'sighting_of_ref', 'source_ref', 'target_ref']) {
        if (key in object) expect(ids.has(object[key] as string), `${object.id}.${key}`).toBe(true);
      }
    }
    const sighting = built.objects.find((object) => object.type === 'sighting');
    expect(sighting).toMatchObject({
      count: 3100,
      first_seen: '2026-11-26T20:55:00.000Z',
      last_seen: '2026-11-26T21:04:00.000Z',
    });
  });

  it('keeps one identity id for the shop across bundles', () => {
    expect(bundle().objects[0]?.id).toBe(bundle().objects[0]?.id);
    expect(bundle().id).not.toBe(bundle().id);
  });

  it('quotes pattern values as the STIX patterning grammar requires', () => {
    expect(stixPatternOf({ type: 'url', value: "https://x.example/it's\\" })).toBe(
      "[url:value = 'https://x.example/it\\'s\\\\']",
    );
    expect(stixPatternOf({ type: 'sha256', value: 'ab'.repeat(32) })).toBe(
      `[file:hashes.'SHA-256' = '${'ab'.repeat(32)}']`,
    );
  });

  it('refuses indicators whose value does not fit their type', () => {
    for (const indicator of [
      { type: 'ipv4', value: '203.0.113.999' },
      { type: 'ipv4', value: '2001:db8::1' },
      { type: 'ipv6', value: '2001:db8::/129' },
      { type: 'domain', value: "x'] OR [a:b = 'c" },
      { type: 'url', value: 'javascript:alert(1)' },
      { type: 'sha256', value: 'abc' },
    ]) {
      expect(
        partnerFactsSchema.safeParse({ ...facts, indicators: [indicator] }).success,
        indicator.value,
      ).toBe(false);
    }
  });
});
