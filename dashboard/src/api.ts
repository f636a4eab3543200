/**
 * The dashboard's API client: same-origin `fetch` with the session cookie, the CSRF header on
 * every change, and one hook for "the session is gone" (401) so the app can go back to login.
 */

export type Severity = 'info' | 'low' | 'medium' | 'high' | 'critical';
export const SEVERITIES: readonly Severity[] = ['critical', 'high', 'medium', 'low', 'info'];
export type Role = 'admin' | 'analyst' | 'viewer' | 'partner' | 'source' | 'gateway' | 'carrier';

export interface User {
  id: string;
  name: string;
  role: Role;
}

export interface Session {
  user: User;
  csrfToken: string;
  restrictions: string[];
}

export type AlertStatus = 'open' | 'acknowledged' | 'closed';
export const ALERT_STATUSES: readonly AlertStatus[] = ['open', 'acknowledged', 'closed'];

export interface Alert {
  id: string;
  time: string;
  ruleId: string;
  title: string;
  description: string;
  severity: Severity;
  detector: string;
  status: AlertStatus;
  eventIds: string[];
  subject: { ip?: string; accountId?: string };
  tags: string[];
  entity?: { type: string; value: string };
  attack?: string[];
  count?: number;
  firstSeen?: string;
  lastSeen?: string;
  evidence?: Record<string, string | number | boolean>;
}

export interface Decision {
  id: string;
  action: string;
  scope: string;
  value: string;
  createdAt?: string;
  expiresAt: string | null;
  reason?: string;
  alertId?: string;
  createdBy?: string;
  ratePerMinute?: number;
}

export interface ModeRecord {
  name: string;
  enabledAt: string;
  enabledBy: string;
  reason: string;
  until: string | null;
}

export interface Mode {
  name: string;
  description: string;
  effect: string;
  active: ModeRecord | null;
}

export interface Incident {
  id: string;
  title: string;
  severity: Severity;
  status: string;
  createdAt?: string;
  summary?: string;
}

export interface CaseClock {
  stage: string;
  state: string;
  dueAt: string | null;
  reference?: string;
  basis?: string;
  provisional?: boolean;
  submittedAt?: string | null;
  note?: string;
}

export interface Criterion {
  id: string;
  reference: string;
  title: string;
  outcome: string;
  reason: string;
}

export interface TimelineEntry {
  id: string;
  at: string;
  actor: string;
  kind: string;
  data: Record<string, unknown>;
}

/** GET /incidents/:id/case (the parts the dashboard shows; docs/incidents.md). */
export interface CaseView {
  incident: Incident;
  significant: 'yes' | 'no' | 'undetermined';
  assessment: { summary: string; criteria: Criterion[]; missingInputs: string[] } | null;
  decision: { significant: 'yes' | 'no'; reason: string; actor: string; at: string } | null;
  clocks: CaseClock[];
  timeline: TimelineEntry[];
}

export const REPORT_STAGES = [
  'early_warning',
  'notification',
  'intermediate',
  'progress',
  'final',
  'gdpr_notification',
] as const;

/** GET /alerts/counts: every alert counted by status and severity. */
export interface AlertCount {
  status: AlertStatus;
  severity: Severity;
  count: number;
}

/** A tuning entry: an alert marked a false positive (POST /alerts/:id/false-positive). */
export interface AlertSuppression {
  id: string;
  ruleId: string;
  entity: { type: string; value: string } | null;
  alertId: string;
  reason: string;
  createdAt: string;
  createdBy: string;
}

/** GET /metrics/traffic. */
export interface Traffic {
  window: '1h' | '6h' | '24h';
  bucketMs: number;
  sinceMs: number;
  untilMs: number;
  buckets: { startMs: number; requests: number; blocked: number }[];
}

/** GET /ledger/checkpoints (items) and POST /ledger/checkpoints. */
export interface Checkpoint {
  treeSize: number;
  rootHash: string;
  createdAt: string;
  note: string;
  cosignatures: number;
}

/** GET /ledger/proofs/inclusion (RFC 9162 §2.1.3). */
export interface InclusionProof {
  type: 'inclusion';
  index: number;
  treeSize: number;
  leafHash: string;
  hashes: string[];
  entry: string;
}

export interface ScanRun {
  id: string;
  target: string;
  mode: 'passive' | 'active';
  startedAt: string;
  finishedAt: string;
  storedBy: string;
  tool: string;
  requestsSent: number;
  checks: { checkId: string; status: string }[];
  classes: { attackClass: string; result: string }[];
  changes: { new: number; seenAgain: number; reopened: number; fixed: number };
}

export interface Finding {
  id: string;
  target: string;
  checkId: string;
  attackClass: string;
  title: string;
  severity: Severity;
  status: 'open' | 'fixed' | 'accepted';
  evidence: string;
  remediation: string;
  cwe?: string;
  url?: string;
  lastSeen?: string;
  seenCount?: number;
  statusReason?: string;
}

export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

let csrfToken = '';
let onUnauthenticated: () => void = () => undefined;

export function setCsrfToken(token: string): void {
  csrfToken = token;
}

/** Called when an answer says the session is gone. */
export function onSessionLost(handler: () => void): void {
  onUnauthenticated = handler;
}

export async function api<T>(method: string, path: string, body?: unknown): Promise<T> {
  const headers: Record<string, string> = { accept: 'application/json' };
  if (body !== undefined) headers['content-type'] = 'application/json';
  if (method !== 'GET' && csrfToken) headers['x-csrf-token'] = csrfToken;
  const response = await fetch(`/api/v1${path}`, {
    method,
    headers,
    credentials: 'same-origin',
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  if (response.status === 204) return undefined as T;
  const data: unknown = await response.json().catch(() => null);
  if (!response.ok) {
    const error = (data as { error?: { code?: string; message?: string; detail?: string } } | null)?.error;
    const failure = new ApiError(
      response.status,
      error?.code ?? 'unknown',
      error?.detail ?? error?.message ?? `HTTP ${response.status}`,
    );
    // The session is gone (expired, signed out elsewhere, user disabled); a wrong password is not that.
    if (failure.code === 'unauthenticated' || failure.code === 'account_disabled') onUnauthenticated();
    throw failure;
  }
  return data as T;
}

export function query(params: Record<string, string | undefined>): string {
  const search = new URLSearchParams();
  for (const [name, value] of Object.entries(params)) if (value) search.set(name, value);
  const text = search.toString();
  return text ? `?${text}` : '';
}
