/**
 * Sign-in routes (api/v1): password (+ TOTP) login to a session cookie, logout, who am
 * I, TOTP enrolment and password change. Login is the only public `/api/v1` route.
 */
import { z } from 'zod';
import { isoNow } from '../../../core/clock.js';
import { EnsuresecError } from '../../../core/errors.js';
import { restrictionsFor } from '../../auth/authenticate.js';
import { hashPassword, verifyAgainstDummy, verifyPassword } from '../../auth/passwords.js';
import { clearSessionCookie, startSession } from '../../auth/sessions.js';
import { checkTotp, newTotpSecret } from '../../auth/totp.js';
import { defineRoute } from '../../route.js';
import { passwordInput, publicUserSchema } from '../../schemas.js';
import { toPublicUser } from '../../views.js';

const restrictionsSchema = z.array(z.enum(['password_change', 'totp_enrolment']));
const sessionAnswer = z.object({
  user: publicUserSchema,
  csrfToken: z.string(),
  expiresAt: z.string(),
  restrictions: restrictionsSchema,
});

const login = defineRoute('auth', {
  method: 'POST',
  url: '/auth/login',
  summary: 'Sign in with user name, password and (when enrolled) a TOTP code; sets the session cookie',
  access: 'public',
  body: z.strictObject({
    username: z.string().min(1).max(64),
    password: z.string().min(1).max(256),
    totp: z.string().max(16).optional(),
  }),
  response: { schema: sessionAnswer },
  async handler({ request, reply, body, deps }) {
    const keys = [`ip:${request.ip}`, `user:${body.username.toLowerCase()}`];
    const retryAfterSeconds = deps.loginLimiter.retryAfterSeconds(keys);
    if (retryAfterSeconds > 0) {
      throw new EnsuresecError('rate_limited', {
        detail: 'Too many failed sign-ins.',
        details: { retryAfterSeconds },
      });
    }
    const user = await deps.store.users.getByName(body.username);
    const passwordOk = user
      ? await verifyPassword(user.passwordHash, body.password)
      : await verifyAgainstDummy(body.password);
    if (!user || !passwordOk) {
      deps.loginLimiter.recordFailure(keys);
      throw new EnsuresecError('invalid_credentials');
    }
    if (user.disabled) throw new EnsuresecError('account_disabled');
    if (user.totpEnabled) {
      if (body.totp === undefined) throw new EnsuresecError('totp_required');
      if (!(await checkTotp(deps.store, user, body.totp, deps.clock))) {
        deps.loginLimiter.recordFailure(keys);
        throw new EnsuresecError('totp_invalid');
      }
    }
    deps.loginLimiter.reset(keys[1] ?? '');
    const session = await startSession(request, reply, user, deps);
    request.log.info({ userId: user.id }, 'user signed in');
    return {
      user: toPublicUser(user),
      csrfToken: session.csrfToken,
      expiresAt: session.expiresAt,
      restrictions: restrictionsFor(user, deps),
    };
  },
});

const logout = defineRoute('auth', {
  method: 'POST',
  url: '/auth/logout',
  summary: 'End the current session and clear its cookie',
  access: 'authenticated',
  allowWhile: ['password_change', 'totp_enrolment'],
  response: { status: 204, description: 'Signed out' },
  async handler({ request, reply, principal, deps }) {
    if (principal.session) await deps.store.sessions.delete(principal.session.idHash);
    clearSessionCookie(request, reply, deps);
  },
});

const me = defineRoute('auth', {
  method: 'GET',
  url: '/auth/me',
  summary: 'The signed-in user, how they authenticated and what they must do first',
  access: 'authenticated',
  allowWhile: ['password_change', 'totp_enrolment'],
  response: {
    schema: z.object({
      user: publicUserSchema,
      via: z.enum(['session', 'token']),
      restrictions: restrictionsSchema,
      csrfToken: z.string().optional(),
    }),
  },
  async handler({ principal }) {
    return {
      user: toPublicUser(principal.user),
      via: principal.via,
      restrictions: principal.restrictions,
      ...(principal.session ? { csrfToken: principal.session.csrfToken } : {}),
    };
  },
});

const totpSetup = defineRoute('auth', {
  method: 'POST',
  url: '/auth/totp/setup',
  summary: 'Start TOTP enrolment: a new secret and its otpauth:// URI (confirm with /auth/totp/enable)',
  access: 'authenticated',
  allowWhile: ['totp_enrolment'],
  response: { schema: z.object({ secret: z.string(), otpauthUri: z.string() }) },
  async handler({ principal, deps }) {
    const user = principal.user;
    if (user.totpEnabled)
      throw new EnsuresecError('conflict', { detail: 'TOTP is already enabled for this user.' });
    const { secret, otpauthUri } = newTotpSecret(user.name);
    await deps.ledger.commit({
      kind: 'user.totp_setup_started',
      actor: user.id,
      write: (tx) => tx.users.update({ ...user, totpSecret: secret, updatedAt: isoNow(deps.clock) }),
    });
    return { secret, otpauthUri };
  },
});

const totpEnable = defineRoute('auth', {
  method: 'POST',
  url: '/auth/totp/enable',
  summary: 'Finish TOTP enrolment with a current code',
  access: 'authenticated',
  allowWhile: ['totp_enrolment'],
  body: z.strictObject({ code: z.string().regex(/^\d{6}$/, 'six digits') }),
  response: { schema: z.object({ user: publicUserSchema }) },
  async handler({ principal, body, deps }) {
    const user = principal.user;
    if (user.totpEnabled)
      throw new EnsuresecError('conflict', { detail: 'TOTP is already enabled for this user.' });
    if (!user.totpSecret) throw new EnsuresecError('bad_request', { detail: 'Call /auth/totp/setup first.' });
    if (!(await checkTotp(deps.store, user, body.code, deps.clock))) throw new EnsuresecError('totp_invalid');
    const updated = { ...user, totpEnabled: true, updatedAt: isoNow(deps.clock) };
    await deps.ledger.commit({
      kind: 'user.totp_enabled',
      actor: user.id,
      write: (tx) => tx.users.update(updated),
    });
    return { user: toPublicUser(updated) };
  },
});

const changePassword = defineRoute('auth', {
  method: 'POST',
  url: '/auth/password',
  summary: 'Change your own password (required first after a one-time password)',
  access: 'authenticated',
  allowWhile: ['password_change', 'totp_enrolment'],
  body: z.strictObject({ current: z.string().min(1).max(256), new: passwordInput }),
  response: { schema: z.object({ user: publicUserSchema }) },
  async handler({ principal, body, deps }) {
    const user = principal.user;
    if (!(await verifyPassword(user.passwordHash, body.current)))
      throw new EnsuresecError('invalid_credentials');
    if (body.new === body.current) {
      throw new EnsuresecError('validation_failed', {
        detail: 'The new password must differ from the current one.',
      });
    }
    const updated = {
      ...user,
      passwordHash: await hashPassword(body.new),
      mustChangePassword: false,
      updatedAt: isoNow(deps.clock),
    };
    await deps.ledger.commit({
      kind: 'user.password_changed',
      actor: user.id,
      write: async (tx) => {
        const stored = await tx.users.update(updated);
        // Whoever knew the old password may hold another session: end all but this one.
        await tx.sessions.deleteForUser(user.id, principal.session?.idHash);
        return stored;
      },
    });
    return { user: toPublicUser(updated) };
  },
});

export const authRoutes = [login, logout, me, totpSetup, totpEnable, changePassword];
