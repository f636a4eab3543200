/**
 * The STIX 2.1 bundle importer (detect/intel): checks the bundle and each indicator against
 * the shape the OASIS JSON schemas give (type, spec_version 2.1, `indicator--<uuid>` ids,
 * created/modified/valid_from timestamps, confidence 0-100...), turns each indicator's STIX
 * pattern into value indicators (see stix-pattern.ts) and reports, per object, what it could
 * not use and why. Objects that are not indicators (identities, relationships, reports...)
 * are counted, not reported: bundles carry them by design.
 *
 * @example
 * const { indicators, problems } = importStixBundle(jsonText, 'feed.json', defaults);
 */
import { z } from 'zod';
import type { ImportDefaults } from './entry.js';
import { normaliseIndicatorValue } from './normalise.js';
import { parseStixPattern, type StixComparison } from './stix-pattern.js';
import type { HashAlgorithm, Indicator, IndicatorType, IntelImportResult, IntelProblem } from './types.js';

// The patterns of the STIX 2.1 schemas: common/identifier.json, common/timestamp.json, core.json.
const UUID = '[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[1-5][0-9a-fA-F]{3}-[89abAB][0-9a-fA-F]{3}-[0-9a-fA-F]{12}';
export const STIX_IDENTIFIER_PATTERN = `^[a-z][a-z0-9-]+[a-z0-9]--${UUID}$`;
export const STIX_TIMESTAMP_PATTERN =
  '^[0-9]{4}-(0[1-9]|1[012])-(0[1-9]|[12][0-9]|3[01])T([01][0-9]|2[0-3]):([0-5][0-9]):([0-5][0-9]|60)(\\.[0-9]+)?Z$';
const identifier = (prefix: string) =>
  z.string().regex(new RegExp(`^${prefix}--${UUID}$`), `must be ${prefix}--<uuid>`);
const timestamp = z
  .string()
  .regex(new RegExp(STIX_TIMESTAMP_PATTERN), 'must be an RFC 3339 UTC timestamp (…Z)');
const timestampMillis = timestamp.regex(/T\d{2}:\d{2}:\d{2}\.\d{3,}Z$/, 'must be precise to the millisecond');

export const stixBundleSchema = z.object({
  type: z.literal('bundle'),
  id: identifier('bundle'),
  objects: z.array(z.unknown()).min(1, 'a bundle has at least one object'),
});

const anyObjectSchema = z.object({ type: z.string().min(3).max(250), id: z.string().optional() });

export const stixIndicatorSchema = z.object({
  type: z.literal('indicator'),
  spec_version: z.literal('2.1', { error: 'spec_version must be "2.1"' }),
  id: identifier('indicator'),
  created: timestampMillis,
  modified: timestampMillis,
  created_by_ref: z.string().regex(new RegExp(STIX_IDENTIFIER_PATTERN)).optional(),
  name: z.string().optional(),
  description: z.string().optional(),
  indicator_types: z.array(z.string()).min(1).optional(),
  pattern: z.string().min(1),
  pattern_type: z.string().min(1),
  pattern_version: z.string().optional(),
  valid_from: timestamp,
  valid_until: timestamp.optional(),
  revoked: z.boolean().optional(),
  confidence: z.number().int().min(0).max(100).optional(),
  labels: z.array(z.string()).min(1).optional(),
});

export type StixIndicator = z.infer<typeof stixIndicatorSchema>;

const HASH_KEYS: Record<string, HashAlgorithm> = { MD5: 'md5', SHA1: 'sha1', SHA256: 'sha256' };

/** The indicator type an object path names, or why it is not supported. */
function typeOfPath(path: string): { type: IndicatorType; algorithm?: HashAlgorithm } | { error: string } {
  switch (path) {
    case 'ipv4-addr:value':
    case 'ipv6-addr:value':
      return { type: 'ip' };
    case 'domain-name:value':
      return { type: 'domain' };
    case 'url:value':
      return { type: 'url' };
  }
  const hash = /^file:hashes\.(?:'([^']+)'|([A-Za-z0-9-]+))$/.exec(path);
  if (hash) {
    const algorithm = HASH_KEYS[(hash[1] ?? hash[2] ?? '').toUpperCase().replace('-', '')];
    if (algorithm) return { type: 'hash', algorithm };
    return { error: `the hash ${hash[1] ?? hash[2]} is not supported (MD5, SHA-1, SHA-256)` };
  }
  return { error: `the object path ${path} is not supported` };
}

function comparisonIndicator(
  comparison: StixComparison,
  base: Omit<Indicator, 'type' | 'value'>,
): Indicator | { error: string } {
  if (comparison.operator !== '=' || comparison.value === undefined)
    return { error: `${comparison.text}: only "= 'string'" comparisons can be turned into indicators` };
  const target = typeOfPath(comparison.path);
  if ('error' in target) return { error: `${comparison.text}: ${target.error}` };
  // ipv4-addr / ipv6-addr values may be CIDR blocks (STIX 2.1 section 6.4.1 / 6.5.1).
  const type = target.type === 'ip' && comparison.value.includes('/') ? 'cidr' : target.type;
  const normalised = normaliseIndicatorValue(type, comparison.value);
  if ('error' in normalised) return { error: `${comparison.text}: ${normalised.error}` };
  if (target.algorithm && normalised.algorithm !== target.algorithm)
    return { error: `${comparison.text}: the value is not a ${target.algorithm} digest` };
  const indicator: Indicator = { ...base, type, value: normalised.value };
  if (normalised.algorithm) indicator.algorithm = normalised.algorithm;
  return indicator;
}

function issuesText(error: z.ZodError): string {
  return error.issues
    .slice(0, 5)
    .map((issue) => `${issue.path.length > 0 ? issue.path.join('.') : 'object'}: ${issue.message}`)
    .join('; ');
}

export function importStixBundle(text: string, file: string, defaults: ImportDefaults): IntelImportResult {
  const result: IntelImportResult = { indicators: [], problems: [], skippedObjects: {} };
  const problem = (reason: string, object?: string): IntelProblem =>
    object === undefined
      ? { code: 'intel_import_invalid', file, reason }
      : { code: 'intel_import_invalid', file, object, reason };
  let json: unknown;
  try {
    json = JSON.parse(text.charCodeAt(0) === 0xfeff ? text.slice(1) : text);
  } catch (error) {
    result.problems.push(problem(`not JSON: ${(error as Error).message}`));
    return result;
  }
  const bundle = stixBundleSchema.safeParse(json);
  if (!bundle.success) {
    result.problems.push(problem(`not a STIX 2.1 bundle: ${issuesText(bundle.error)}`));
    return result;
  }
  bundle.data.objects.forEach((object, index) => {
    const where = (id?: string) => `objects[${index}]${id ? ` ${id}` : ''}`;
    const shape = anyObjectSchema.safeParse(object);
    if (!shape.success) {
      result.problems.push(problem(`not a STIX object: ${issuesText(shape.error)}`, where()));
      return;
    }
    if (shape.data.type !== 'indicator') {
      result.skippedObjects[shape.data.type] = (result.skippedObjects[shape.data.type] ?? 0) + 1;
      return;
    }
    const parsed = stixIndicatorSchema.safeParse(object);
    if (!parsed.success) {
      result.problems.push(problem(`invalid indicator: ${issuesText(parsed.error)}`, where(shape.data.id)));
      return;
    }
    const indicator = parsed.data;
    if (indicator.revoked) {
      result.problems.push(problem('revoked by its producer; not imported', where(indicator.id)));
      return;
    }
    if (indicator.pattern_type !== 'stix') {
      result.problems.push(
        problem(`pattern_type "${indicator.pattern_type}" is not supported (only stix)`, where(indicator.id)),
      );
      return;
    }
    const validFromMs = Date.parse(indicator.valid_from);
    const validUntilMs = indicator.valid_until ? Date.parse(indicator.valid_until) : undefined;
    if (validUntilMs !== undefined && validUntilMs <= validFromMs) {
      result.problems.push(problem('valid_until is not after valid_from', where(indicator.id)));
      return;
    }
    const pattern = parseStixPattern(indicator.pattern);
    if ('error' in pattern) {
      result.problems.push(
        problem(
          `unsupported pattern ${JSON.stringify(indicator.pattern)}: ${pattern.error}`,
          where(indicator.id),
        ),
      );
      return;
    }
    const base: Omit<Indicator, 'type' | 'value'> = {
      source: defaults.source,
      confidence: indicator.confidence ?? defaults.confidence,
      validFromMs,
      tags: [...defaults.tags, ...(indicator.indicator_types ?? []), ...(indicator.labels ?? [])].slice(
        0,
        64,
      ),
      stixId: indicator.id,
    };
    if (validUntilMs !== undefined) base.validUntilMs = validUntilMs;
    const description = indicator.name ?? indicator.description;
    if (description) base.description = description.slice(0, 1024);
    for (const comparison of pattern.comparisons) {
      const built = comparisonIndicator(comparison, base);
      if ('error' in built)
        result.problems.push(problem(`unsupported comparison ${built.error}`, where(indicator.id)));
      else result.indicators.push(built);
    }
  });
  return result;
}
