/**
 * Personal-data markers (core, no I/O). A schema field that holds personal data is
 * wrapped with `personal(kind, schema)`; `pseudonymiseRecord` (pseudonymise.ts) walks a
 * record with its schema and replaces every marked value before the record leaves the
 * shop's trust boundary (exports, partner notices, the ledger).
 */
import { z } from 'zod';

export const PERSONAL_DATA_KINDS = [
  'client_address',
  'email',
  'account_id',
  'postal_address',
  'card_fingerprint',
  'session_id',
] as const;
export type PersonalDataKind = (typeof PERSONAL_DATA_KINDS)[number];

/** The kind is fixed, or read from the object holding the field (a decision's scope says what its value is). */
export type PersonalDataMarker =
  PersonalDataKind | ((holder: Record<string, unknown>) => PersonalDataKind | null);

export const personalDataRegistry = z.registry<{ personal: PersonalDataMarker }>();

/** Marks a schema as holding personal data. @example email: personal('email', z.string().email()) */
export function personal<T extends z.ZodType>(kind: PersonalDataMarker, schema: T): T {
  personalDataRegistry.add(schema, { personal: kind });
  return schema;
}
