/**
 * The authentication gate (auth), run on every request before its body is read: finds
 * the caller (bearer token first, then session cookie), refuses what the route's access
 * rule, the caller's role, CSRF or a pending restriction does not allow. Routes declare
 * their access in `config.ensuresec`; a route without it is not ours (404 follows).
 */
import { timingSafeEqual } from 'node:crypto';
import type { FastifyRequest } from 'fastify';
import { EnsuresecError } from '../../core/errors.js';
import { roleAllows } from '../../core/roles.js';
import type { UserRecord } from '../../store/store.js';
import type { Principal, ResolvedApiDeps, Restriction, RouteAccessConfig } from '../types.js';
import { sha256Hex, TOKEN_PATTERN } from './secrets.js';
import { CSRF_HEADER, SESSION_COOKIE } from './sessions.js';

const TOUCH_INTERVAL_MS = 60_000;
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

export function restrictionsFor(user: UserRecord, deps: ResolvedApiDeps): Restriction[] {
  const restrictions: Restriction[] = [];
  if (user.mustChangePassword) restrictions.push('password_change');
  if (deps.config.requireTotpForAdmins && user.role === 'admin' && !user.totpEnabled) {
    restrictions.push('totp_enrolment');
  }
  return restrictions;
}

async function fromBearer(header: string, deps: ResolvedApiDeps): Promise<Principal> {
  const token = header.slice('bearer '.length).trim();
  if (!TOKEN_PATTERN.test(token)) throw new EnsuresecError('token_invalid');
  const record = await deps.store.tokens.getByHash(sha256Hex(token));
  const nowMs = deps.clock.nowMs();
  if (!record || record.revokedAt || (record.expiresAt && Date.parse(record.expiresAt) <= nowMs)) {
    throw new EnsuresecError('token_invalid');
  }
  const user = await deps.store.users.get(record.userId);
  if (!user) throw new EnsuresecError('token_invalid');
  if (user.disabled) throw new EnsuresecError('account_disabled');
  if (!record.lastUsedAt || Date.parse(record.lastUsedAt) <= nowMs - TOUCH_INTERVAL_MS) {
    await deps.store.tokens.touch(record.id, new Date(nowMs).toISOString());
  }
  // A token is a credential its owner made after signing in fully (or the local CLI's),
  // so the sign-in restrictions do not apply to it.
  return { user, via: 'token', token: record, restrictions: [] };
}

async function fromSession(sessionId: string, deps: ResolvedApiDeps): Promise<Principal> {
  const idHash = sha256Hex(sessionId);
  const session = await deps.store.sessions.get(idHash);
  if (!session)
    throw new EnsuresecError('unauthenticated', { detail: 'The session is unknown; log in again.' });
  if (Date.parse(session.expiresAt) <= deps.clock.nowMs()) {
    await deps.store.sessions.delete(idHash);
    throw new EnsuresecError('unauthenticated', { detail: 'The session expired; log in again.' });
  }
  const user = await deps.store.users.get(session.userId);
  if (!user) throw new EnsuresecError('unauthenticated');
  if (user.disabled) throw new EnsuresecError('account_disabled');
  return { user, via: 'session', session, restrictions: restrictionsFor(user, deps) };
}

/** Finds the caller, or null when the request carries no credentials at all. */
export async function identify(request: FastifyRequest, deps: ResolvedApiDeps): Promise<Principal | null> {
  const authorization = request.headers.authorization;
  if (authorization !== undefined) {
    if (!authorization.toLowerCase().startsWith('bearer ')) {
      throw new EnsuresecError('unauthenticated', { detail: 'Only the Bearer scheme is supported.' });
    }
    return fromBearer(authorization, deps);
  }
  const sessionId = request.cookies[SESSION_COOKIE];
  if (sessionId) return fromSession(sessionId, deps);
  return null;
}

function csrfMatches(sent: string | string[] | undefined, expected: string): boolean {
  if (typeof sent !== 'string') return false;
  const a = Buffer.from(sent);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

/** Throws the error the caller should see, or sets `request.principal`. */
export async function authorize(request: FastifyRequest, access: RouteAccessConfig, deps: ResolvedApiDeps) {
  if (access.access === 'public') return;
  const principal = await identify(request, deps);
  if (!principal) throw new EnsuresecError('unauthenticated');
  if (principal.via === 'session' && !SAFE_METHODS.has(request.method)) {
    if (!csrfMatches(request.headers[CSRF_HEADER], principal.session?.csrfToken ?? '')) {
      throw new EnsuresecError('csrf_failed');
    }
  }
  const blocking = principal.restrictions.find((restriction) => !access.allowWhile.includes(restriction));
  if (blocking === 'password_change') throw new EnsuresecError('password_change_required');
  if (blocking === 'totp_enrolment') throw new EnsuresecError('totp_enrolment_required');
  if (access.access !== 'authenticated' && !roleAllows(principal.user.role, access.access)) {
    throw new EnsuresecError('forbidden', {
      detail: `The route needs '${access.access}'; your role is '${principal.user.role}'.`,
    });
  }
  request.principal = principal;
}
