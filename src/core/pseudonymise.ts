/**
 * Pseudonymisation (core, no I/O): the one function applied wherever records leave the
 * shop's trust boundary (exports, partner notices, the ledger). A keyed HMAC-SHA-256 keeps
 * equal values equal (so partners can still correlate) while nobody without the key can
 * reverse them. The key comes from the secret store (`secrets.pseudonymisationKey`).
 *
 * @example pseudonymise('203.0.113.7', 'client_address', key) // 'pii:client_address:Qm9…'
 */
import { createHmac } from 'node:crypto';
import { z } from 'zod';
import { personalDataRegistry, type PersonalDataKind, type PersonalDataMarker } from './personal-data.js';

const PREFIX = 'pii:';

export function pseudonymise(value: string, kind: PersonalDataKind, key: Buffer): string {
  if (isPseudonym(value)) return value;
  const digest = createHmac('sha256', key).update(kind).update('\0').update(value).digest('base64url');
  return `${PREFIX}${kind}:${digest.slice(0, 22)}`;
}

export function isPseudonym(value: string): boolean {
  return value.startsWith(PREFIX);
}

function markerOf(schema: z.ZodType): PersonalDataMarker | undefined {
  let current: z.ZodType | undefined = schema;
  while (current) {
    const meta = personalDataRegistry.get(current);
    if (meta) return meta.personal;
    if (
      current instanceof z.ZodOptional ||
      current instanceof z.ZodNullable ||
      current instanceof z.ZodDefault ||
      current instanceof z.ZodPrefault
    ) {
      current = current.unwrap() as z.ZodType;
    } else {
      return undefined;
    }
  }
  return undefined;
}

function unwrapContainer(schema: z.ZodType): z.ZodType {
  let current = schema;
  while (
    current instanceof z.ZodOptional ||
    current instanceof z.ZodNullable ||
    current instanceof z.ZodDefault ||
    current instanceof z.ZodPrefault
  ) {
    current = current.unwrap() as z.ZodType;
  }
  return current;
}

/** Raw personal values met in a record, and their pseudonyms, to scrub them from its free text. */
type Replacements = Map<string, string>;

function walk(schema: z.ZodType, value: unknown, key: Buffer, seen: Replacements): unknown {
  const container = unwrapContainer(schema);
  if (container instanceof z.ZodArray && Array.isArray(value)) {
    return value.map((item) => walk(container.element as z.ZodType, item, key, seen));
  }
  if (!(container instanceof z.ZodObject) || value === null || typeof value !== 'object') return value;
  const holder = value as Record<string, unknown>;
  const out: Record<string, unknown> = { ...holder };
  for (const [field, fieldSchema] of Object.entries(container.shape as Record<string, z.ZodType>)) {
    const fieldValue = holder[field];
    if (fieldValue === undefined || fieldValue === null) continue;
    const marker = markerOf(fieldSchema);
    if (marker !== undefined && typeof fieldValue === 'string') {
      const kind = typeof marker === 'function' ? marker(holder) : marker;
      if (kind !== null) {
        const pseudonym = pseudonymise(fieldValue, kind, key);
        out[field] = pseudonym;
        if (fieldValue.length >= MIN_SCRUBBED_LENGTH) seen.set(fieldValue, pseudonym);
      }
    } else {
      out[field] = walk(fieldSchema, fieldValue, key, seen);
    }
  }
  return out;
}

/**
 * Returns a copy of `record` with every field its schema marks as personal replaced by a pseudonym;
 * with `scrubText`, the same values written in its free text too (views that leave the shop).
 * @example pseudonymiseRecord(decisionSchema, decision, key)
 */
export function pseudonymiseRecord<T>(
  schema: z.ZodType<T>,
  record: T,
  key: Buffer,
  options: { scrubText?: boolean } = {},
): T {
  const seen: Replacements = new Map();
  const out = walk(schema, record, key, seen);
  return (options.scrubText === true && seen.size > 0 ? scrub(out, seen) : out) as T;
}

/** Shorter values (a two-digit id) would match inside unrelated words. */
const MIN_SCRUBBED_LENGTH = 4;

/**
 * A personal value also written in the record's free text (an alert titled "Credential stuffing
 * from 203.0.113.7") is replaced there by the same pseudonym, longest value first.
 */
function scrub(value: unknown, seen: Replacements): unknown {
  if (typeof value === 'string') {
    if (isPseudonym(value)) return value;
    let text = value;
    for (const [raw, pseudonym] of [...seen].sort((a, b) => b[0].length - a[0].length))
      if (text.includes(raw)) text = text.split(raw).join(pseudonym);
    return text;
  }
  if (Array.isArray(value)) return value.map((item) => scrub(item, seen));
  if (value === null || typeof value !== 'object') return value;
  const out: Record<string, unknown> = {};
  for (const [field, item] of Object.entries(value as Record<string, unknown>))
    out[field] = scrub(item, seen);
  return out;
}

/** The dotted paths a schema marks as personal, for docs and tests. */
export function personalPaths(schema: z.ZodType, prefix = ''): string[] {
  const container = unwrapContainer(schema);
  if (container instanceof z.ZodArray) return personalPaths(container.element as z.ZodType, `${prefix}[]`);
  if (!(container instanceof z.ZodObject)) return [];
  const paths: string[] = [];
  for (const [field, fieldSchema] of Object.entries(container.shape as Record<string, z.ZodType>)) {
    const path = prefix ? `${prefix}.${field}` : field;
    if (markerOf(fieldSchema) !== undefined) paths.push(path);
    else paths.push(...personalPaths(fieldSchema, path));
  }
  return paths;
}
