/** User administration routes (api/v1), admin only: list, add, change role or disable. */
import { z } from 'zod';
import { isoNow } from '../../../core/clock.js';
import { EnsuresecError } from '../../../core/errors.js';
import { createUser } from '../../auth/new-user.js';
import { defineRoute } from '../../route.js';
import {
  idParams,
  pageOf,
  pageQueryShape,
  passwordInput,
  publicUserSchema,
  role,
  userName,
} from '../../schemas.js';
import { toPublicUser } from '../../views.js';

const list = defineRoute('users', {
  method: 'GET',
  url: '/users',
  summary: 'List users',
  access: 'write:admin',
  query: z.strictObject({ ...pageQueryShape }),
  response: { schema: pageOf(publicUserSchema) },
  async handler({ query, deps }) {
    const page = await deps.store.users.list(query);
    return { items: page.items.map(toPublicUser), nextCursor: page.nextCursor };
  },
});

const add = defineRoute('users', {
  method: 'POST',
  url: '/users',
  summary: 'Add a user; without a password a one-time one is generated and shown once',
  access: 'write:admin',
  body: z.strictObject({ name: userName, role, password: passwordInput.optional() }),
  response: {
    status: 201,
    schema: z.object({ user: publicUserSchema, password: z.string().optional() }),
  },
  async handler({ body, principal, deps }) {
    if (await deps.store.users.getByName(body.name)) {
      throw new EnsuresecError('conflict', { detail: `A user named '${body.name}' already exists.` });
    }
    const { user, generatedPassword } = await createUser(deps.ledger, {
      name: body.name,
      role: body.role,
      ...(body.password === undefined ? {} : { password: body.password }),
      // The administrator knows this password, so its owner must replace it.
      mustChangePassword: true,
      clock: deps.clock,
      actor: principal.user.id,
    });
    return generatedPassword === undefined
      ? { user: toPublicUser(user) }
      : { user: toPublicUser(user), password: generatedPassword };
  },
});

const update = defineRoute('users', {
  method: 'PATCH',
  url: '/users/:id',
  summary: "Change a user's role or disable / enable them",
  access: 'write:admin',
  params: idParams('usr'),
  body: z
    .strictObject({ role: role.optional(), disabled: z.boolean().optional() })
    .refine((patch) => patch.role !== undefined || patch.disabled !== undefined, 'send role or disabled'),
  response: { schema: z.object({ user: publicUserSchema }) },
  async handler({ params, body, principal, deps }) {
    const user = await deps.store.users.get(params.id);
    if (!user) throw new EnsuresecError('not_found', { detail: `User ${params.id} does not exist.` });
    if (user.id === principal.user.id && (body.disabled === true || (body.role && body.role !== 'admin'))) {
      throw new EnsuresecError('forbidden', {
        detail: 'You cannot disable or demote yourself; ask another admin.',
      });
    }
    const updated = {
      ...user,
      role: body.role ?? user.role,
      disabled: body.disabled ?? user.disabled,
      updatedAt: isoNow(deps.clock),
    };
    await deps.ledger.commit({
      kind: 'user.updated',
      actor: principal.user.id,
      write: async (tx) => {
        const stored = await tx.users.update(updated);
        if (stored?.disabled) await tx.sessions.deleteForUser(stored.id);
        return stored;
      },
    });
    return { user: toPublicUser(updated) };
  },
});

export const userRoutes = [list, add, update];
