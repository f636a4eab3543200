/**
 * The dashboard's API client: same-origin `fetch` with the session cookie, the CSRF header on
 * every change, and one hook for "the session is gone" (401) so the app can go back to login.
 */

export type Severity = 'info' | 'low' | 'medium' | 'high' | 'critical';
export const SEVERITIES: readonly Severity[] = ['critical', 'high', 'medium', 'low', 'info'];
export type Role = 'admin' | 'analyst' | 'viewer' | 'partner' | 'source' | 'gateway';

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

export interface Alert {
  id: string;
  time: string;
  ruleId: string;
  title: string;
  description: string;
  severity: Severity;
  detector: string;
  status: 'open' | 'acknowledged' | 'closed';
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
  expiresAt: string | null;
  reason?: string;
  alertId?: string;
  createdBy?: string;
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
}

export interface CaseClock {
  stage: string;
  state: string;
  dueAt: string | null;
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
