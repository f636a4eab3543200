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
  alertSuppressionSchema,
  type AlertSuppression,
  decisionSchema,
  findingSchema,
  scanRunSchema,
  incidentEntrySchema,
  incidentSchema,
  type Alert,
  type Decision,
  type Finding,
  type ScanRun,
  type Incident,
  type IncidentEntry,
  type PlaybookRun,
} from '../core/records/index.js';
import type { IncidentReport } from '../core/records/incident-report.js';
import { ROLES } from '../core/roles.js';
import type { ModeRecord, OutboxMessage, TokenRecord, UserRecord } from '../store/store.js';
import type { RegisteredCertificate } from '../scan/certificate/public-status.js';

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
  audience: z.enum(['customers', 'partners', 'authorities', 'team']),
  reference: z.string(),
  recipient: personal((holder) => (holder['channel'] === 'email' ? 'email' : null), z.string()),
  partnerId: z.string().nullable(),
  status: z.string(),
  attempts: z.number(),
  nextAttemptAt: z.string(),
  lastError: z.string().nullable(),
  deliveredAt: z.string().nullable(),
});

/**
 * A playbook run as the ledger shows it: its steps' outcomes and the ids they made, never the
 * alert's entity value or a step's sentence (they may name a client address or an account).
 */
export const ledgerPlaybookRunSchema = z.object({
  id: z.string(),
  playbook: z.string(),
  alertId: z.string(),
  ruleId: z.string(),
  dryRun: z.boolean(),
  status: z.string(),
  steps: z.array(
    z.object({
      index: z.number(),
      name: z.string(),
      type: z.string(),
      status: z.string(),
      output: z.record(z.string(), z.unknown()),
      error: z.object({ code: z.string() }).optional(),
    }),
  ),
  approval: z
    .object({
      decision: z.string().optional(),
      decidedBy: z.string().optional(),
      reason: z.string().optional(),
    })
    .nullable(),
});

/**
 * A report version frozen: what identifies it and the SHA-256 of its JSON export, never its
 * content (which names the data protection contact), so anyone holding the export can check it.
 */
export const ledgerReportSchema = z.object({
  id: z.string(),
  incidentId: z.string(),
  stage: z.string(),
  version: z.number(),
  frozenAt: z.string(),
  frozenBy: z.string(),
  missing: z.array(z.string()),
  sha256: z.string(),
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

/** Virtual patches accepted into (or removed from) the running WAF: the rules' ids and findings, the file's digest. */
export interface VirtualPatchChange {
  id: string;
  action: 'accepted' | 'removed';
  patches: { ruleId: number; fingerprint: string; checkId: string | null }[];
  /** The SHA-256 of the rules file the gateway runs after the change. */
  sha256: string;
  /** Rules the WAF runs after the reload. */
  rules: number;
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
  /** A stored scan saw the finding again, found it again after a fix, or no longer found it (fixed). */
  'finding.updated': Finding;
  /** A scan report was stored (its summary; each finding has its own entry). */
  'scan.stored': ScanRun;
  'user.created': UserRecord;
  'user.updated': UserRecord;
  'user.password_changed': UserRecord;
  'user.totp_setup_started': UserRecord;
  'user.totp_enabled': UserRecord;
  'token.created': TokenRecord;
  'token.revoked': TokenRecord;
  'config.changed': ConfigChange;
  'waf.rules_reloaded': WafReload;
  /** An admin accepted or removed virtual patches; the running WAF was reloaded with them. */
  'waf.virtual_patches_changed': VirtualPatchChange;
  /** An admin registered a scan certificate for public verification (the record, never more than it states). */
  'certificate.registered': RegisteredCertificate;
  /** A certificate was revoked: by whom, when, why. */
  'certificate.revoked': RegisteredCertificate;
  'ledger.key_changed': LogKeyChange;
  'mode.enabled': ModeRecord;
  'mode.disabled': ModeRecord;
  'notice.queued': OutboxMessage;
  'notice.delivered': OutboxMessage;
  'notice.failed': OutboxMessage;
  'notice.dead': OutboxMessage;
  'notice.requeued': OutboxMessage;
  /** A version of an incident report was frozen (it is never changed afterwards). */
  'report.frozen': IncidentReport;
  /** A playbook run started for an alert (or a dry run). */
  'playbook.run': PlaybookRun;
  /** One step of a run ended (or waits for an approval). */
  'playbook.step': PlaybookRun;
  /** A person (or the timeout's default) approved or rejected a waiting run. */
  'playbook.approval': PlaybookRun;
  'playbook.run_finished': PlaybookRun;
  /** An analyst marked an alert a false positive: the tuning entry that suppresses its rule for its entity. */
  'alert.suppressed': AlertSuppression;
  /** A tuning entry was removed: the rule raises alerts about that entity again. */
  'alert.suppression_removed': AlertSuppression;
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

/** A run's entries share its id, so `entriesForRecord(run.id)` is its history. */
const playbookRunView: LedgerKindSpec<PlaybookRun> = {
  schema: ledgerPlaybookRunSchema,
  view: (run) => ({
    id: run.id,
    playbook: run.playbook,
    alertId: run.alertId,
    ruleId: run.ruleId,
    dryRun: run.dryRun,
    status: run.status,
    steps: run.steps.map((step) => ({
      index: step.index,
      name: step.name,
      type: step.type,
      status: step.status,
      output: step.output,
      ...(step.error ? { error: { code: step.error.code } } : {}),
    })),
    approval:
      run.approval === null
        ? null
        : {
            ...(run.approval.decision ? { decision: run.approval.decision } : {}),
            ...(run.approval.decidedBy ? { decidedBy: run.approval.decidedBy } : {}),
            ...(run.approval.reason ? { reason: run.approval.reason } : {}),
          },
  }),
  id: (run) => run.id,
};

const reportView: LedgerKindSpec<IncidentReport> = {
  schema: ledgerReportSchema,
  view: (report) => ({
    id: report.id,
    incidentId: report.incidentId,
    stage: report.stage,
    version: report.version,
    frozenAt: report.frozenAt,
    frozenBy: report.frozenBy,
    missing: report.missing,
    sha256: report.sha256,
  }),
  id: (report) => report.id,
};

/** A certificate's entries share its id (`jti`), so `entriesForRecord(id)` is its history. */
const certificateView: LedgerKindSpec<RegisteredCertificate> = {
  schema: opaque,
  view: (certificate) => ({
    id: certificate.id,
    target: certificate.target,
    kid: certificate.publicKey.kid ?? null,
    issuedAt: certificate.issuedAt,
    expiresAt: certificate.expiresAt,
    classes: certificate.classes,
    registeredBy: certificate.registeredBy,
    revocation: certificate.revocation,
  }),
  id: (certificate) => certificate.id,
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
  'finding.updated': asIs(findingSchema),
  'scan.stored': asIs(scanRunSchema),
  'user.created': userView,
  'user.updated': userView,
  'user.password_changed': userView,
  'user.totp_setup_started': userView,
  'user.totp_enabled': userView,
  'token.created': tokenView,
  'token.revoked': tokenView,
  'config.changed': asIs(opaque),
  'waf.rules_reloaded': asIs(opaque),
  'waf.virtual_patches_changed': asIs(opaque),
  'certificate.registered': certificateView,
  'certificate.revoked': certificateView,
  'ledger.key_changed': asIs(opaque),
  'mode.enabled': modeView,
  'mode.disabled': modeView,
  'notice.queued': noticeView,
  'notice.delivered': noticeView,
  'notice.failed': noticeView,
  'notice.dead': noticeView,
  'notice.requeued': noticeView,
  'report.frozen': reportView,
  'playbook.run': playbookRunView,
  'playbook.step': playbookRunView,
  'playbook.approval': playbookRunView,
  'playbook.run_finished': playbookRunView,
  'alert.suppressed': asIs(alertSuppressionSchema),
  'alert.suppression_removed': asIs(alertSuppressionSchema),
};

export function isLedgerKind(kind: unknown): kind is LedgerKind {
  return typeof kind === 'string' && Object.hasOwn(LEDGER_KINDS, kind);
}
