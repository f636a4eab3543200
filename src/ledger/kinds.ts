/**
 * What the ledger logs (ledger, no I/O): one kind per security-relevant change, each with the
 * schema of its logged record (whose `personal()` fields become salted hashes) and how to get
 * that record and its id from what the store wrote. Users and tokens are logged as their
 * public view: never a password hash, TOTP secret or token hash. Add a kind here, then call
 * `ledger.commit({ kind, write })` where the change is written.
 */
import { z } from 'zod';
import { personal } from '../core/personal-data.js';
import {
  alertSchema,
  decisionSchema,
  findingSchema,
  incidentEntrySchema,
  incidentSchema,
  type Alert,
  type Decision,
  type Finding,
  type Incident,
  type IncidentEntry,
} from '../core/records/index.js';
import { ROLES } from '../core/roles.js';
import type { ModeRecord, OutboxMessage, TokenRecord, UserRecord } from '../store/store.js';

/** A user as the ledger shows it: the account name is personal data. */
export const ledgerUserSchema = z.object({
  id: z.string(),
  name: personal('account_id', z.string()),
  role: z.enum(ROLES),
  disabled: z.boolean(),
  mustChangePassword: z.boolean(),
  totpEnabled: z.boolean(),
  createdAt: z.string(),
  updatedAt: z.string(),
});

export const ledgerTokenSchema = z.object({
  id: z.string(),
  userId: z.string(),
  name: z.string(),
  createdAt: z.string(),
  expiresAt: z.string().nullable(),
  revokedAt: z.string().nullable(),
});

/** A fail-safe mode switched on or off: who, why, since and until when. */
export const ledgerModeSchema = z.object({
  name: z.string(),
  enabledAt: z.string(),
  enabledBy: z.string(),
  reason: z.string(),
  until: z.string().nullable(),
  recovery: z.object({ ruleId: z.string(), quietMs: z.number() }).nullable(),
  disabledAt: z.string().optional(),
  disabledBy: z.string().optional(),
  disabledReason: z.string().optional(),
});

/**
 * A notice queued, delivered, failed, dead or retried: never its content, and the recipient
 * only as a salted pseudonym when it is an email address (a partner's id is not personal).
 */
export const ledgerNoticeSchema = z.object({
  id: z.string(),
  idempotencyKey: z.string(),
  channel: z.enum(['email', 'webhook']),
  audience: z.enum(['customers', 'partners']),
  reference: z.string(),
  recipient: personal((holder) => (holder['channel'] === 'email' ? 'email' : null), z.string()),
  partnerId: z.string().nullable(),
  status: z.string(),
  attempts: z.number(),
  nextAttemptAt: z.string(),
  lastError: z.string().nullable(),
  deliveredAt: z.string().nullable(),
});

/** The running configuration changed (seen at start): its digest and the file as parsed (secrets are references). */
export interface ConfigChange {
  id: string;
  sha256: string;
  config: unknown;
}

export interface WafReload {
  id: string;
  ok: boolean;
  rules?: number;
  error?: string;
}

/** The log's signing key changed (first start or rotation): both verifier keys, so the change is on record. */
export interface LogKeyChange {
  id: string;
  previousKey: string | null;
  currentKey: string;
}

/** The record type each kind logs, as the store (or the caller) has it. */
export interface LedgerRecordTypes {
  'alert.created': Alert;
  'alert.status_changed': Alert;
  /** A grouped alert took in more detections (count, lastSeen, evidence). */
  'alert.updated': Alert;
  'decision.created': Decision;
  'decision.deleted': Decision;
  'incident.created': Incident;
  'incident.updated': Incident;
  /** One entry appended to an incident's timeline: a status move, a legal time, impact figures, an assessment, a note, … */
  'incident.entry_appended': IncidentEntry;
  'finding.created': Finding;
  'user.created': UserRecord;
  'user.updated': UserRecord;
  'user.password_changed': UserRecord;
  'user.totp_setup_started': UserRecord;
  'user.totp_enabled': UserRecord;
  'token.created': TokenRecord;
  'token.revoked': TokenRecord;
  'config.changed': ConfigChange;
  'waf.rules_reloaded': WafReload;
  'ledger.key_changed': LogKeyChange;
  'mode.enabled': ModeRecord;
  'mode.disabled': ModeRecord;
  'notice.queued': OutboxMessage;
  'notice.delivered': OutboxMessage;
  'notice.failed': OutboxMessage;
  'notice.dead': OutboxMessage;
  'notice.requeued': OutboxMessage;
}

export type LedgerKind = keyof LedgerRecordTypes;

export interface LedgerKindSpec<T> {
  /** Walked for `personal()` markers. */
  schema: z.ZodType;
  /** The logged view of the record (default: the record itself). */
  view(record: T): unknown;
  id(record: T): string;
}

const asIs = <T extends { id: string }>(schema: z.ZodType): LedgerKindSpec<T> => ({
  schema,
  view: (record) => record,
  id: (record) => record.id,
});

const userView: LedgerKindSpec<UserRecord> = {
  schema: ledgerUserSchema,
  view: (user) => ({
    id: user.id,
    name: user.name,
    role: user.role,
    disabled: user.disabled,
    mustChangePassword: user.mustChangePassword,
    totpEnabled: user.totpEnabled,
    createdAt: user.createdAt,
    updatedAt: user.updatedAt,
  }),
  id: (user) => user.id,
};

const tokenView: LedgerKindSpec<TokenRecord> = {
  schema: ledgerTokenSchema,
  view: (token) => ({
    id: token.id,
    userId: token.userId,
    name: token.name,
    createdAt: token.createdAt,
    expiresAt: token.expiresAt,
    revokedAt: token.revokedAt,
  }),
  id: (token) => token.id,
};

const opaque = z.unknown();

/** A mode's entries share one record id, so `entriesForRecord('mode:<name>')` is its history. */
const modeView: LedgerKindSpec<ModeRecord> = {
  schema: ledgerModeSchema,
  view: (mode) => mode,
  id: (mode) => `mode:${mode.name}`,
};

const noticeView: LedgerKindSpec<OutboxMessage> = {
  schema: ledgerNoticeSchema,
  view: (notice) => ({
    id: notice.id,
    idempotencyKey: notice.idempotencyKey,
    channel: notice.channel,
    audience: notice.audience,
    reference: notice.reference,
    recipient: notice.recipient,
    partnerId: notice.partnerId,
    status: notice.status,
    attempts: notice.attempts,
    nextAttemptAt: notice.nextAttemptAt,
    lastError: notice.lastError,
    deliveredAt: notice.deliveredAt,
  }),
  id: (notice) => notice.id,
};

export const LEDGER_KINDS: { [K in LedgerKind]: LedgerKindSpec<LedgerRecordTypes[K]> } = {
  'alert.created': asIs(alertSchema),
  'alert.status_changed': asIs(alertSchema),
  'alert.updated': asIs(alertSchema),
  'decision.created': asIs(decisionSchema),
  'decision.deleted': asIs(decisionSchema),
  'incident.created': asIs(incidentSchema),
  'incident.updated': asIs(incidentSchema),
  'incident.entry_appended': asIs(incidentEntrySchema),
  'finding.created': asIs(findingSchema),
  'user.created': userView,
  'user.updated': userView,
  'user.password_changed': userView,
  'user.totp_setup_started': userView,
  'user.totp_enabled': userView,
  'token.created': tokenView,
  'token.revoked': tokenView,
  'config.changed': asIs(opaque),
  'waf.rules_reloaded': asIs(opaque),
  'ledger.key_changed': asIs(opaque),
  'mode.enabled': modeView,
  'mode.disabled': modeView,
  'notice.queued': noticeView,
  'notice.delivered': noticeView,
  'notice.failed': noticeView,
  'notice.dead': noticeView,
  'notice.requeued': noticeView,
};

export function isLedgerKind(kind: unknown): kind is LedgerKind {
  return typeof kind === 'string' && Object.hasOwn(LEDGER_KINDS, kind);
}
