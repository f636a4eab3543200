/**
 * Revocation of scan certificates, by hand and automatically (prevention stage). `revokeCertificate`
 * is the one path: the admin's `cert revoke` and the automatic revocation both write the
 * `certificate.revoked` ledger record through it, and the first revocation stands.
 *
 * A certificate is revoked automatically when a flaw is confirmed in a class it certified as
 * `pass`, for its origin, after it was issued, while it is still valid. Confirmations come from:
 * - a stored scan (`POST /api/v1/scans`) with a finding of severity high or critical
 *   (`scanConfirmations`): the scanner verified the exploit, so its severity is the signal;
 * - an admin confirming a flaw found by monitoring (`POST /api/v1/certificates/confirmed-flaws`),
 *   with the incident or alert that shows it: alerts and incidents carry no origin and no attack
 *   class, and a web-attack alert describes attempts (flagged or blocked), not a successful
 *   exploitation, so none of them revokes by itself.
 * The public reason names the class and the source, never the flawed URL (the flaw may be
 * unfixed); the evidence reference is kept in the record and the ledger only.
 *
 * @example await revokeForConfirmedFlaw(deps, { origin, attackClass: 'xss', reason, evidence }, actorId)
 */
import type { Clock } from '../../core/clock.js';
import type { LedgerWriter } from '../../ledger/service.js';
import type { Store } from '../../store/store.js';
import type { StoredReport } from '../store/report-schema.js';
import type { AttackClass } from '../types.js';
import {
  CERTIFICATE_INDEX_KEY,
  LATEST_CERTIFICATE_KEY,
  certificateKey,
  statusOf,
  type CertificateIndexEntry,
  type CertificateRevocation,
  type RegisteredCertificate,
} from './public-status.js';

/** `revokedBy` of an automatic revocation. */
export const AUTO_REVOKED_BY = 'system';

/** Severities that mean the scanner confirmed an exploitable flaw (it verified the exploit). */
export const CONFIRMING_SEVERITIES: ReadonlySet<string> = new Set(['critical', 'high']);

export interface RevokeResult {
  certificate: RegisteredCertificate;
  /** False when it was revoked already, or `when` refused it: the record is unchanged. */
  revoked: boolean;
}

/**
 * Revokes one certificate through the ledger (`certificate.revoked`); undefined when no such
 * certificate is registered. `when` is checked inside the transaction, on the current record.
 */
export async function revokeCertificate(
  ledger: LedgerWriter,
  id: string,
  revocation: CertificateRevocation,
  actor: string,
  when?: (certificate: RegisteredCertificate) => boolean,
): Promise<RevokeResult | undefined> {
  let current: RegisteredCertificate | undefined;
  const written = await ledger.commit({
    kind: 'certificate.revoked',
    actor,
    write: async (tx) => {
      current = await tx.kv.get<RegisteredCertificate>(certificateKey(id));
      if (!current || current.revocation) return undefined; // the first revocation stands
      if (when && !when(current)) return undefined;
      const next: RegisteredCertificate = { ...current, revocation };
      await tx.kv.set(certificateKey(id), next);
      return next;
    },
  });
  if (written) return { certificate: written, revoked: true };
  return current ? { certificate: current, revoked: false } : undefined;
}

/** Adds a registered certificate to the index (inside the registration's transaction). */
export async function indexCertificate(
  kv: Pick<Store['kv'], 'get' | 'set'>,
  certificate: RegisteredCertificate,
): Promise<void> {
  const index = (await kv.get<CertificateIndexEntry[]>(CERTIFICATE_INDEX_KEY)) ?? [];
  if (index.some((entry) => entry.id === certificate.id)) return;
  await kv.set(CERTIFICATE_INDEX_KEY, [...index, { id: certificate.id, target: certificate.target }]);
}

export interface FlawConfirmation {
  /** The shop's origin, e.g. `https://shop.example`. */
  origin: string;
  attackClass: AttackClass;
  /** Shown publicly: say what class and what source, not where the flaw is. */
  reason: string;
  /** What confirmed it (kept in the record and the ledger, not shown publicly). */
  evidence: string;
  /** When the flaw was observed: certificates issued after it are left alone. */
  observedAt: string;
}

export interface AutoRevokeDeps {
  store: Store;
  ledger: LedgerWriter;
  clock: Clock;
}

const originOf = (text: string): string | null => {
  try {
    return new URL(text).origin;
  } catch {
    return null;
  }
};

/** Whether the confirmation contradicts this certificate now. */
export function isContradicted(
  certificate: RegisteredCertificate,
  confirmation: FlawConfirmation,
  now: Date,
): boolean {
  const origin = originOf(confirmation.origin);
  return (
    origin !== null &&
    originOf(certificate.target) === origin &&
    statusOf(certificate, now) === 'valid' &&
    Date.parse(confirmation.observedAt) > Date.parse(certificate.issuedAt) &&
    certificate.classes.some((c) => c.class === confirmation.attackClass && c.result === 'pass')
  );
}

/**
 * Revokes every registered certificate the confirmation contradicts; returns those revoked now.
 * Certificates registered before the index existed are reached through the latest one.
 */
export async function revokeForConfirmedFlaw(
  deps: AutoRevokeDeps,
  confirmation: FlawConfirmation,
  actor: string,
): Promise<RegisteredCertificate[]> {
  const origin = originOf(confirmation.origin);
  if (origin === null) return [];
  const index = (await deps.store.kv.get<CertificateIndexEntry[]>(CERTIFICATE_INDEX_KEY)) ?? [];
  const ids = new Set(index.filter((entry) => originOf(entry.target) === origin).map((entry) => entry.id));
  const latest = await deps.store.kv.get<string>(LATEST_CERTIFICATE_KEY);
  if (typeof latest === 'string') ids.add(latest);
  const revoked: RegisteredCertificate[] = [];
  for (const id of ids) {
    const now = new Date(deps.clock.nowMs());
    const result = await revokeCertificate(
      deps.ledger,
      id,
      {
        reason: confirmation.reason,
        revokedAt: now.toISOString(),
        revokedBy: AUTO_REVOKED_BY,
        evidence: confirmation.evidence,
      },
      actor,
      (certificate) => isContradicted(certificate, confirmation, now),
    );
    if (result?.revoked) revoked.push(result.certificate);
  }
  return revoked;
}

/** One confirmation per class of the report's high and critical findings. */
export function scanConfirmations(report: StoredReport, scanId: string): FlawConfirmation[] {
  const byClass = new Map<AttackClass, StoredReport['findings']>();
  for (const finding of report.findings) {
    if (!CONFIRMING_SEVERITIES.has(finding.severity)) continue;
    byClass.set(finding.attackClass, [...(byClass.get(finding.attackClass) ?? []), finding]);
  }
  return [...byClass].map(([attackClass, findings]) => ({
    origin: report.origin,
    attackClass,
    reason: `A later scan confirmed an exploitable ${attackClass} flaw (scan ${scanId}).`,
    evidence: `scan ${scanId}: ${findings
      .slice(0, 20)
      .map((f) => `${f.checkId} ${f.severity} ${f.fingerprint}`)
      .join(', ')}`,
    observedAt: report.finishedAt,
  }));
}
