/**
 * The ledger form of a record (ledger, no I/O): the RFC 8785 canonical JSON of
 * `{actor, at, id, index, kind, record}`, where every `personal()` field of the record is
 * replaced by `pii:<kind>:<HMAC-SHA-256(subject salt, pseudonym)>`. The salt is random and
 * kept per data subject (`ledger_salts`), keyed by the subject's pseudonym under the shop's
 * pseudonymisation key; deleting it (erasure) leaves the logged value unlinkable to anyone
 * while the entry, its leaf hash and every proof stay valid.
 *
 * Two steps, because salts live in the store: `prepareEntry` (before the transaction knows
 * the index) finds the personal values, `finishEntry` (inside it) salts them and encodes.
 */
import { createHmac } from 'node:crypto';
import { EnsuresecError } from '../core/errors.js';
import { personalPaths, pseudonymiseRecord } from '../core/pseudonymise.js';
import { canonicalJson } from './canonical-json.js';
import { hashLeaf } from './hash.js';
import { LEDGER_KINDS, type LedgerKind, type LedgerRecordTypes } from './kinds.js';

/** How one entry looks once decoded; `index` makes every leaf name its own position. */
export interface LedgerEntry {
  actor: string | null;
  /** When it was logged (ISO 8601, UTC). */
  at: string;
  id: string;
  index: number;
  kind: LedgerKind;
  record: unknown;
}

type Path = (string | number)[];

export interface PreparedEntry {
  kind: LedgerKind;
  recordId: string;
  actor: string | null;
  atMs: number;
  /** The record's logged view with personal values already replaced by their pseudonyms. */
  view: unknown;
  /** Where the pseudonyms are, to be replaced by salted values. */
  personalPaths: Path[];
  /** The distinct pseudonyms: the subjects whose salts are needed. */
  subjects: string[];
}

export interface FinishedEntry {
  index: number;
  kind: LedgerKind;
  recordId: string;
  createdMs: number;
  entry: string;
  leafHash: Uint8Array;
}

const UTF8 = new TextEncoder();

/** Drops `undefined` and turns the record into plain JSON, as the store keeps it. */
function plainJson(value: unknown): unknown {
  const text = JSON.stringify(value);
  if (text === undefined) {
    throw new EnsuresecError('validation_failed', { detail: 'A ledger record must be a JSON value.' });
  }
  return JSON.parse(text) as unknown;
}

/** Paths where the pseudonymised copy differs from the original: the personal values. */
function changedPaths(original: unknown, pseudonymised: unknown, path: Path, out: Path[]): void {
  if (typeof original === 'string') {
    if (original !== pseudonymised) out.push(path);
    return;
  }
  if (original === null || typeof original !== 'object') return;
  if (Array.isArray(original)) {
    const copy = pseudonymised as unknown[];
    original.forEach((item, i) => changedPaths(item, copy[i], [...path, i], out));
    return;
  }
  const copy = pseudonymised as Record<string, unknown>;
  for (const [key, value] of Object.entries(original)) changedPaths(value, copy[key], [...path, key], out);
}

function valueAt(root: unknown, path: Path): unknown {
  let current = root;
  for (const step of path) current = (current as Record<string | number, unknown>)[step];
  return current;
}

function setAt(root: unknown, path: Path, value: unknown): void {
  let current = root;
  for (const step of path.slice(0, -1)) current = (current as Record<string | number, unknown>)[step];
  (current as Record<string | number, unknown>)[path[path.length - 1] as string | number] = value;
}

const kindsWithPersonalData = new Map<LedgerKind, boolean>();

function hasPersonalData(kind: LedgerKind): boolean {
  let known = kindsWithPersonalData.get(kind);
  if (known === undefined) {
    known = personalPaths(LEDGER_KINDS[kind].schema).length > 0;
    kindsWithPersonalData.set(kind, known);
  }
  return known;
}

export function prepareEntry<K extends LedgerKind>(
  kind: K,
  record: LedgerRecordTypes[K],
  options: { pseudonymisationKey: Buffer; actor?: string | null; atMs: number },
): PreparedEntry {
  const spec = LEDGER_KINDS[kind];
  const view = plainJson(spec.view(record));
  // The walk copies every object and array on its way, so `view` is never shared with the result.
  const pseudonymised = hasPersonalData(kind)
    ? pseudonymiseRecord(spec.schema, view, options.pseudonymisationKey)
    : view;
  const paths: Path[] = [];
  if (pseudonymised !== view) changedPaths(view, pseudonymised, [], paths);
  const subjects = [...new Set(paths.map((path) => valueAt(pseudonymised, path) as string))];
  return {
    kind,
    recordId: spec.id(record),
    actor: options.actor ?? null,
    atMs: options.atMs,
    view: pseudonymised,
    personalPaths: paths,
    subjects,
  };
}

/** `pii:<kind>:<digest>` of a subject's pseudonym under its salt. */
export function saltedValue(subject: string, salt: Uint8Array): string {
  const kind = subject.split(':')[1] ?? 'personal';
  const digest = createHmac('sha256', salt).update(subject).digest('base64url');
  return `pii:${kind}:${digest.slice(0, 22)}`;
}

/** Salts the prepared view in place (it is this entry's own copy) and encodes the entry. */
export function finishEntry(
  prepared: PreparedEntry,
  index: number,
  salts: ReadonlyMap<string, Uint8Array>,
): FinishedEntry {
  const record = prepared.view;
  for (const path of prepared.personalPaths) {
    const subject = valueAt(record, path) as string;
    const salt = salts.get(subject);
    if (!salt) throw new EnsuresecError('internal', { detail: 'A ledger subject has no salt.' });
    setAt(record, path, saltedValue(subject, salt));
  }
  const entry: LedgerEntry = {
    actor: prepared.actor,
    at: new Date(prepared.atMs).toISOString(),
    id: prepared.recordId,
    index,
    kind: prepared.kind,
    record,
  };
  const text = canonicalJson(entry);
  return {
    index,
    kind: prepared.kind,
    recordId: prepared.recordId,
    createdMs: prepared.atMs,
    entry: text,
    leafHash: hashLeaf(UTF8.encode(text)),
  };
}
