/**
 * Correlation rule parser (detect/correlation): a YAML document with a `correlation:` section
 * (Sigma correlation specification 2.0) to a CorrelationRule. Called by the Sigma parser for
 * every document that has that section; throws RuleError-compatible errors with the reason.
 *
 * @example
 * correlation: { type: event_count, rules: [failed_login], group-by: [c-ip], timespan: 5m, condition: { gte: 10 } }
 */
import { z } from 'zod';
import { SIGMA_LEVELS } from '../sigma/types.js';
import { parseTimespan } from './timespan.js';
import { CORRELATION_TYPES } from './types.js';
import type { CorrelationRule, CountRange } from './types.js';

export class CorrelationRuleError extends Error {}

const stringList = z
  .union([z.string(), z.array(z.string())])
  .transform((value) => (typeof value === 'string' ? [value] : value));

const count = z.number().int().min(0);

const correlationSchema = z.looseObject({
  title: z.string().min(1).max(256),
  id: z.string().min(1).max(256).optional(),
  name: z.string().min(1).max(256).optional(),
  status: z.string().optional(),
  level: z.enum(SIGMA_LEVELS).optional(),
  description: z.string().optional(),
  tags: stringList.optional(),
  generate: z.boolean().optional(),
  correlation: z.strictObject({
    type: z.enum(CORRELATION_TYPES),
    rules: stringList.refine((rules) => rules.length > 0, 'needs at least one rule'),
    'group-by': stringList.optional(),
    timespan: z.string(),
    condition: z
      .strictObject({
        gt: count.optional(),
        gte: count.optional(),
        lt: count.optional(),
        lte: count.optional(),
        eq: count.optional(),
        field: z.string().min(1).optional(),
      })
      .optional(),
    aliases: z.record(z.string(), z.record(z.string(), z.string())).optional(),
    generate: z.boolean().optional(),
  }),
});

function fail(reason: string): never {
  throw new CorrelationRuleError(reason);
}

function rangeOf(condition: {
  gt?: number;
  gte?: number;
  lt?: number;
  lte?: number;
  eq?: number;
}): CountRange | null {
  const { gt, gte, lt, lte, eq } = condition;
  if ([gt, gte, lt, lte, eq].every((v) => v === undefined)) return null;
  if (eq !== undefined && [gt, gte, lt, lte].some((v) => v !== undefined))
    fail('condition: eq cannot be combined with other bounds');
  if (gt !== undefined && gte !== undefined) fail('condition: give gt or gte, not both');
  if (lt !== undefined && lte !== undefined) fail('condition: give lt or lte, not both');
  const min = eq ?? (gt !== undefined ? gt + 1 : (gte ?? 0));
  const max = eq ?? (lt !== undefined ? lt - 1 : (lte ?? Number.POSITIVE_INFINITY));
  if (min > max) fail('condition: the range is empty');
  return { min, max };
}

/** Validates a correlation document; throws CorrelationRuleError with the reason. */
export function parseCorrelationDocument(
  doc: Record<string, unknown>,
  file: string,
  document: number,
): CorrelationRule {
  const result = correlationSchema.safeParse(doc);
  if (!result.success) {
    fail(
      result.error.issues
        .map((i) => `${i.path.length > 0 ? i.path.join('.') : 'document'}: ${i.message}`)
        .join('; '),
    );
  }
  const raw = result.data;
  const c = raw.correlation;
  const timespanMs = parseTimespan(c.timespan);
  if (timespanMs === null)
    fail(`correlation.timespan '${c.timespan}' is not a number followed by s, m, h, d or w`);
  const { field, ...bounds } = c.condition ?? {};
  let condition = rangeOf(bounds);
  if (c.type === 'event_count' || c.type === 'value_count') {
    if (!condition) fail(`correlation.condition is required for ${c.type}`);
  }
  if (c.type === 'value_count' && field === undefined)
    fail('correlation.condition.field is required for value_count');
  if (c.type !== 'value_count' && field !== undefined)
    fail(`correlation.condition.field only applies to value_count`);
  if (c.type === 'temporal' || c.type === 'temporal_ordered') {
    const distinct = new Set(c.rules).size;
    if (distinct !== c.rules.length) fail('correlation.rules lists a rule twice');
    condition ??= { min: distinct, max: distinct };
    if (c.type === 'temporal_ordered' && condition.min !== distinct) {
      fail('temporal_ordered counts the whole sequence: give no condition or gte the number of rules');
    }
    if (condition.min < 1 || condition.min > distinct)
      fail(`correlation.condition must lie between 1 and ${distinct} rules`);
  }
  const aliases = c.aliases ?? {};
  const rule: CorrelationRule = {
    id: raw.id ?? raw.name ?? `${file}#${document}`,
    title: raw.title,
    level: raw.level ?? 'medium',
    tags: raw.tags ?? [],
    type: c.type,
    rules: c.rules,
    groupBy: c['group-by'] ?? [],
    timespanMs,
    condition: condition!,
    aliases,
    generate: raw.generate ?? c.generate ?? false,
    file,
    document,
  };
  if (field !== undefined) rule.valueField = field;
  if (raw.name !== undefined) rule.name = raw.name;
  if (raw.status !== undefined) rule.status = raw.status;
  if (raw.description !== undefined) rule.description = raw.description;
  return rule;
}
