/**
 * API token routes (api/v1): every user manages their own tokens, an admin everyone's.
 * A new token is shown once in the answer; only its SHA-256 is stored.
 */
import { z } from 'zod';
import { isoNow } from '../../../core/clock.js';
import { EnsuresecError } from '../../../core/errors.js';
import { roleAllows } from '../../../core/roles.js';
import { issueApiToken } from '../../auth/bootstrap.js';
import { defineRoute } from '../../route.js';
import { createdTokenSchema, idParams, pageOf, pageQueryShape, publicTokenSchema } from '../../schemas.js';
import type { Principal } from '../../types.js';
import { toPublicToken } from '../../views.js';

const DAY_MS = 86_400_000;

function isAdmin(principal: Principal): boolean {
  return roleAllows(principal.user.role, 'write:admin');
}

const list = defineRoute('tokens', {
  method: 'GET',
  url: '/tokens',
  summary: 'List API tokens: your own, or (admin) everyone’s or one user’s',
  access: 'authenticated',
  query: z.strictObject({ ...pageQueryShape, userId: z.string().max(64).optional() }),
  response: { schema: pageOf(publicTokenSchema) },
  async handler({ query, principal, deps }) {
    const ownId = principal.user.id;
    if (query.userId !== undefined && query.userId !== ownId && !isAdmin(principal)) {
      throw new EnsuresecError('forbidden', { detail: 'Only an admin can list other users’ tokens.' });
    }
    const userId = isAdmin(principal) ? query.userId : ownId;
    const page = await deps.store.tokens.list({ ...query, ...(userId === undefined ? {} : { userId }) });
    return { items: page.items.map(toPublicToken), nextCursor: page.nextCursor };
  },
});

const create = defineRoute('tokens', {
  method: 'POST',
  url: '/tokens',
  summary: 'Create an API token (shown once); an admin may create one for another user',
  access: 'authenticated',
  body: z.strictObject({
    name: z.string().min(1).max(64),
    expiresInDays: z.number().int().min(1).max(3650).optional(),
    userId: z.string().max(64).optional(),
  }),
  response: { status: 201, schema: createdTokenSchema },
  async handler({ body, principal, deps }) {
    const userId = body.userId ?? principal.user.id;
    if (userId !== principal.user.id) {
      if (!isAdmin(principal))
        throw new EnsuresecError('forbidden', { detail: 'Only an admin can create tokens for others.' });
      if (!(await deps.store.users.get(userId)))
        throw new EnsuresecError('not_found', { detail: `User ${userId} does not exist.` });
    }
    const expiresAt =
      body.expiresInDays === undefined
        ? null
        : new Date(deps.clock.nowMs() + body.expiresInDays * DAY_MS).toISOString();
    const { token, record } = await issueApiToken(
      deps.ledger,
      { userId, name: body.name, expiresAt, actor: principal.user.id },
      deps.clock,
    );
    return { token, record: toPublicToken(record) };
  },
});

const revoke = defineRoute('tokens', {
  method: 'DELETE',
  url: '/tokens/:id',
  summary: 'Revoke an API token (yours, or any as admin)',
  access: 'authenticated',
  params: idParams('tok'),
  response: { status: 204, description: 'Revoked' },
  async handler({ params, principal, deps }) {
    const token = await deps.store.tokens.get(params.id);
    // Someone else's token answers 404, not 403, so ids cannot be probed.
    if (!token || (token.userId !== principal.user.id && !isAdmin(principal))) {
      throw new EnsuresecError('not_found', { detail: `Token ${params.id} does not exist.` });
    }
    if (token.revokedAt) return;
    await deps.ledger.commit({
      kind: 'token.revoked',
      actor: principal.user.id,
      write: async (tx) =>
        (await tx.tokens.revoke(token.id, isoNow(deps.clock))) ? tx.tokens.get(token.id) : undefined,
    });
  },
});

export const tokenRoutes = [list, create, revoke];
