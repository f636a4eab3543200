/**
 * Stores a scan report on the server and tracks its findings across scans (prevention stage).
 * One weakness of one target (origin) is one stored finding, found by the scanner's fingerprint:
 * the first scan that finds it creates it (`finding.created`); a later scan that finds it again
 * moves `lastSeen` and `seenCount` and reopens it if it was fixed (`finding.updated`); a later
 * scan that ran the finding's check **completely** (`tested`) and no longer finds it marks it
 * `fixed` (`finding.updated`). A partial or passive-only scan never marks an active finding fixed,
 * and `accepted` findings stay accepted. Every write goes through the ledger's `commit`; the
 * scan's summary is stored last (`scan.stored`).
 */
import type { Clock } from '../../core/clock.js';
import { EnsuresecError } from '../../core/errors.js';
import { newId } from '../../core/ids.js';
import { findingSchema, type Finding, type ScanRun } from '../../core/records/index.js';
import type { LedgerWriter } from '../../ledger/service.js';
import type { Store } from '../../store/store.js';
import type { StoredReport } from './report-schema.js';

export interface RecordScanDeps {
  store: Store;
  ledger: LedgerWriter;
  clock: Clock;
}

export interface ScanActor {
  /** User id for the ledger. */
  id: string;
  /** Shown in the scan's `storedBy`. */
  name: string;
}

export interface RecordedScan {
  scan: ScanRun;
  /** The stored state of every finding of the report, in report order. */
  findings: Finding[];
  /** Findings this scan marked fixed. */
  fixed: Finding[];
}

const EVIDENCE_CAP = 16384;
const COMMIT_CHUNK = 32;
const CWE = /^CWE-\d+$/;

type ReportFinding = StoredReport['findings'][number];

/**
 * Header lines whose values are credentials: the operator's `--header` cookie or token, and
 * the shop's session cookies. Stored findings (and their ledger entries, which are never
 * erased) keep the header name with the value redacted.
 */
const SECRET_HEADER =
  /^((?:proxy-)?authorization|cookie|set-cookie|x-api-key|x-auth-token|x-csrf-token):[^\n]*$/gim;

export function redactCredentials(excerpt: string): string {
  return excerpt.replace(SECRET_HEADER, '$1: [redacted]');
}

function evidenceText(f: ReportFinding): string {
  const text = [
    `proof: ${f.evidence.proof}`,
    f.description,
    `request:\n${redactCredentials(f.evidence.request)}`,
    `response:\n${redactCredentials(f.evidence.response)}`,
  ].join('\n\n');
  return text.length > EVIDENCE_CAP ? text.slice(0, EVIDENCE_CAP - 1) + '…' : text;
}

/** The fields a newer scan refreshes (title, score, evidence may have changed). */
function scanFields(f: ReportFinding) {
  return {
    checkId: f.checkId,
    attackClass: f.attackClass,
    title: f.title,
    severity: f.severity,
    evidence: evidenceText(f),
    remediation: f.remediation,
    ...(CWE.test(f.cwe) ? { cwe: f.cwe } : {}),
    cvssVector: f.cvssVector,
    cvssScore: f.cvssScore,
    url: f.url,
    ...(f.method !== undefined ? { method: f.method } : {}),
    ...(f.parameter !== undefined ? { parameter: f.parameter } : {}),
  };
}

const later = (a: string | undefined, b: string): string => (a !== undefined && a > b ? a : b);

export async function recordScan(
  deps: RecordScanDeps,
  report: StoredReport,
  actor: ScanActor,
): Promise<RecordedScan> {
  const nowMs = deps.clock.nowMs();
  const storedAt = new Date(nowMs).toISOString();
  const scanId = newId('scn', nowMs);
  const target = report.origin;
  const seenAt = report.startedAt;
  const unique = new Map<string, ReportFinding>();
  for (const f of report.findings) if (!unique.has(f.fingerprint)) unique.set(f.fingerprint, f);

  const changes = { new: 0, seenAgain: 0, reopened: 0, fixed: 0 };
  const stored: Finding[] = [];
  const sighting = async (f: ReportFinding): Promise<{ finding: Finding; change: keyof typeof changes }> => {
    const known = await deps.store.findings.getByFingerprint(target, f.fingerprint);
    const created = known
      ? undefined
      : await createFinding(deps, f, { target, seenAt, scanId, storedAt }, actor);
    if (created) return { finding: created, change: 'new' };
    // Known, or created by a concurrent upload in the meantime: seen again.
    let reopened = false;
    const updated = await deps.ledger.commit({
      kind: 'finding.updated',
      actor: actor.id,
      write: async (tx) => {
        const current = await tx.findings.getByFingerprint(target, f.fingerprint);
        if (!current) return undefined;
        reopened = current.status === 'fixed';
        const next: Finding = findingSchema.parse({
          ...current,
          ...scanFields(f),
          status: reopened ? 'open' : current.status,
          fixedAt: reopened ? null : (current.fixedAt ?? null),
          firstSeen:
            current.firstSeen !== undefined && current.firstSeen < seenAt ? current.firstSeen : seenAt,
          lastSeen: later(current.lastSeen, seenAt),
          seenCount: (current.seenCount ?? 1) + 1,
          lastScanId:
            current.lastSeen !== undefined && current.lastSeen > seenAt ? current.lastScanId : scanId,
        });
        await tx.findings.update(next);
        return next;
      },
    });
    if (!updated)
      throw new EnsuresecError('conflict', { detail: `Finding ${f.fingerprint} vanished while storing.` });
    return { finding: updated, change: reopened ? 'reopened' : 'seenAgain' };
  };
  // Distinct fingerprints never touch the same row, so a chunk is committed together (the
  // ledger groups concurrent commits into one transaction).
  const all = [...unique.values()];
  for (let i = 0; i < all.length; i += COMMIT_CHUNK) {
    for (const { finding, change } of await Promise.all(all.slice(i, i + COMMIT_CHUNK).map(sighting))) {
      changes[change] += 1;
      stored.push(finding);
    }
  }

  const complete = new Set(report.checks.filter((c) => c.status === 'tested').map((c) => c.checkId));
  const fixed: Finding[] = [];
  for (const open of await deps.store.findings.listByStatus(target, 'open')) {
    if (open.fingerprint === undefined || unique.has(open.fingerprint)) continue;
    if (!complete.has(open.checkId)) continue;
    // A report older than the last sighting (uploaded late) proves nothing about today.
    if (open.lastSeen !== undefined && open.lastSeen >= seenAt) continue;
    const done = await deps.ledger.commit({
      kind: 'finding.updated',
      actor: actor.id,
      write: async (tx) => {
        const current = await tx.findings.get(open.id);
        if (!current || current.status !== 'open') return undefined;
        const next: Finding = { ...current, status: 'fixed', fixedAt: report.finishedAt, lastScanId: scanId };
        await tx.findings.update(next);
        return next;
      },
    });
    if (done) {
      changes.fixed += 1;
      fixed.push(done);
    }
  }

  const scan: ScanRun = {
    id: scanId,
    target,
    mode: report.mode,
    startedAt: report.startedAt,
    finishedAt: report.finishedAt,
    storedAt,
    storedBy: actor.name,
    tool: `${report.tool.name} ${report.tool.version}`.slice(0, 128),
    requestsSent: report.requests.sent,
    checks: report.checks.map((c) => ({ checkId: c.checkId, status: c.status })),
    classes: report.classes.map((c) => ({ attackClass: c.attackClass, result: c.result })),
    fingerprints: [...unique.keys()],
    changes,
  };
  await deps.ledger.commit({
    kind: 'scan.stored',
    actor: actor.id,
    write: async (tx) => {
      await tx.scanRuns.insert(scan);
      return scan;
    },
  });
  return { scan, findings: stored, fixed };
}

async function createFinding(
  deps: RecordScanDeps,
  f: ReportFinding,
  at: { target: string; seenAt: string; scanId: string; storedAt: string },
  actor: ScanActor,
): Promise<Finding | undefined> {
  const finding: Finding = findingSchema.parse({
    id: newId('fnd', deps.clock.nowMs()),
    createdAt: at.storedAt,
    target: at.target,
    status: 'open',
    ...scanFields(f),
    fingerprint: f.fingerprint,
    firstSeen: at.seenAt,
    lastSeen: at.seenAt,
    seenCount: 1,
    fixedAt: null,
    lastScanId: at.scanId,
  });
  try {
    return await deps.ledger.commit({
      kind: 'finding.created',
      actor: actor.id,
      write: async (tx) => {
        await tx.findings.insert(finding);
        return finding;
      },
    });
  } catch (error) {
    // Another upload stored the same fingerprint first: the caller records a sighting instead.
    if (error instanceof EnsuresecError && error.code === 'conflict') return undefined;
    throw error;
  }
}
