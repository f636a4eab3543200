/**
 * Browser sessions (auth): a random id in the `ensuresec_session` cookie (HttpOnly,
 * SameSite=Strict, Path=/, Secure over TLS or when forced), stored hashed beside a CSRF
 * token the page must echo in `x-csrf-token` on every change.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import { isoNow } from '../../core/clock.js';
import type { SessionRecord, UserRecord } from '../../store/store.js';
import type { ResolvedApiDeps } from '../types.js';
import { generateCsrfToken, generateSessionId, sha256Hex } from './secrets.js';

export const SESSION_COOKIE = 'ensuresec_session';
export const CSRF_HEADER = 'x-csrf-token';

function secureFor(request: FastifyRequest, deps: ResolvedApiDeps): boolean {
  const setting = deps.config.secureCookies;
  return setting === 'auto' ? request.protocol === 'https' : setting;
}

export async function startSession(
  request: FastifyRequest,
  reply: FastifyReply,
  user: UserRecord,
  deps: ResolvedApiDeps,
): Promise<SessionRecord> {
  const sessionId = generateSessionId();
  const nowMs = deps.clock.nowMs();
  const session: SessionRecord = {
    idHash: sha256Hex(sessionId),
    userId: user.id,
    csrfToken: generateCsrfToken(),
    createdAt: isoNow(deps.clock),
    expiresAt: new Date(nowMs + deps.config.sessionTtlMs).toISOString(),
  };
  // Expired sessions are swept at sign-in, the one moment a new row is written anyway.
  await deps.store.sessions.deleteExpired(session.createdAt);
  await deps.store.sessions.insert(session);
  reply.setCookie(SESSION_COOKIE, sessionId, {
    httpOnly: true,
    sameSite: 'strict',
    path: '/',
    secure: secureFor(request, deps),
    maxAge: Math.floor(deps.config.sessionTtlMs / 1000),
  });
  return session;
}

export function clearSessionCookie(
  request: FastifyRequest,
  reply: FastifyReply,
  deps: ResolvedApiDeps,
): void {
  reply.clearCookie(SESSION_COOKIE, {
    httpOnly: true,
    sameSite: 'strict',
    path: '/',
    secure: secureFor(request, deps),
  });
}
