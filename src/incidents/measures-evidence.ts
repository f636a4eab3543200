/**
 * The evidence behind the Art. 21(2) self-assessment (incidents stage): what Ensuresec's own
 * records show for (b) incident handling (cases of the last twelve months, handling times,
 * overdue and late reports), (e) vulnerability handling (scan findings, open ones by severity),
 * (h) cryptography (TLS findings) and (j) multi-factor authentication (Ensuresec's admins).
 * The assessment itself is in regulation/measures (no I/O).
 *
 * @example const evidence = await gatherMeasuresEvidence({ store, clock, profile, totpRequired: true });
 */
import type { Clock } from '../core/clock.js';
import type { Finding } from '../core/records/index.js';
import { addMonthsUtc, HOUR_MS } from '../regulation/calendar.js';
import type { MeasuresEvidence } from '../regulation/measures/assess.js';
import type { EntityProfile } from '../regulation/profile.js';
import type { Page, PageRequest, Store } from '../store/store.js';
import { foldCase } from './case.js';

export interface MeasuresEvidenceOptions {
  store: Store;
  clock: Clock;
  profile: EntityProfile;
  /** `api.requireTotpForAdmins` of the running configuration. */
  totpRequired: boolean;
}

const PAGE = 500;

async function everything<T>(list: (page: PageRequest) => Promise<Page<T>>): Promise<T[]> {
  const items: T[] = [];
  let cursor: string | undefined;
  do {
    const page = await list({ limit: PAGE, ...(cursor === undefined ? {} : { cursor }) });
    items.push(...page.items);
    cursor = page.nextCursor ?? undefined;
  } while (cursor !== undefined);
  return items;
}

/** A finding about TLS or cryptography, by its check or attack class (the scanner's is `transport` / `transport-security`). */
export function isTlsFinding(finding: Pick<Finding, 'checkId' | 'attackClass'>): boolean {
  return /(^|[-_.:/ ])(tls|ssl|hsts|certificate|cipher|crypto|transport)/i.test(
    `${finding.checkId} ${finding.attackClass}`,
  );
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1
    ? (sorted[middle] as number)
    : ((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2;
}

async function incidentEvidence(options: MeasuresEvidenceOptions, sinceMs: number) {
  const nowMs = options.clock.nowMs();
  const incidents = (await everything((page) => options.store.incidents.list(page))).filter(
    (incident) => Date.parse(incident.createdAt) >= sinceMs,
  );
  const evidence: MeasuresEvidence['incidents'] = {
    total: incidents.length,
    open: 0,
    significant: 0,
    handlingHours: null,
    overdue: [],
    submittedLate: 0,
    submittedOnTime: 0,
  };
  const handling: number[] = [];
  for (const incident of incidents) {
    const entries = await options.store.incidentEntries.listFor(incident.id);
    const view = foldCase(incident, entries, options.profile, nowMs);
    if (incident.status !== 'closed') evidence.open++;
    if (view.significant === 'yes') evidence.significant++;
    const start = view.legalTimes.aware?.time ?? view.legalTimes.detected?.time ?? incident.createdAt;
    if (view.legalTimes.handled)
      handling.push((Date.parse(view.legalTimes.handled.time) - Date.parse(start)) / HOUR_MS);
    for (const clock of view.clocks) {
      if (clock.state === 'submitted') evidence.submittedOnTime++;
      if (clock.state === 'submitted_late') evidence.submittedLate++;
      if (clock.state === 'overdue' && incident.status !== 'closed' && clock.dueAt !== null)
        evidence.overdue.push({ incidentId: incident.id, stage: clock.stage, dueAt: clock.dueAt });
    }
  }
  if (handling.length > 0)
    evidence.handlingHours = { count: handling.length, median: median(handling), max: Math.max(...handling) };
  return evidence;
}

async function findingEvidence(store: Store): Promise<MeasuresEvidence['findings']> {
  const findings = await everything((page) => store.findings.list(page));
  const open = { critical: 0, high: 0, medium: 0, low: 0, info: 0 };
  let latestAt: string | null = null;
  for (const finding of findings) {
    if (finding.status === 'open') open[finding.severity]++;
    if (latestAt === null || finding.createdAt > latestAt) latestAt = finding.createdAt;
  }
  const tls = findings.filter(isTlsFinding);
  return {
    total: findings.length,
    latestAt,
    open,
    tlsTotal: tls.length,
    tlsOpen: tls
      .filter((finding) => finding.status === 'open')
      .map((finding) => ({
        id: finding.id,
        title: finding.title,
        severity: finding.severity,
        target: finding.target,
      })),
  };
}

export async function gatherMeasuresEvidence(options: MeasuresEvidenceOptions): Promise<MeasuresEvidence> {
  const nowMs = options.clock.nowMs();
  const sinceMs = addMonthsUtc(nowMs, -12);
  const admins = (await everything((page) => options.store.users.list(page))).filter(
    (user) => user.role === 'admin' && !user.disabled,
  );
  return {
    generatedAt: new Date(nowMs).toISOString(),
    since: new Date(sinceMs).toISOString(),
    incidents: await incidentEvidence(options, sinceMs),
    findings: await findingEvidence(options.store),
    admins: {
      active: admins.length,
      withTotp: admins.filter((user) => user.totpEnabled).length,
      totpRequired: options.totpRequired,
    },
  };
}
