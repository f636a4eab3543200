/** Finding routes (api/v1): weaknesses the scanner found in the shop. */
import { z } from 'zod';
import { EnsuresecError } from '../../../core/errors.js';
import { findingSchema, type Finding } from '../../../core/records/index.js';
import { defineRoute } from '../../route.js';
import { idParams, pageOf, pageQueryShape } from '../../schemas.js';

const list = defineRoute('findings', {
  method: 'GET',
  url: '/findings',
  summary: 'List scanner findings, newest first, by target and status',
  access: 'read',
  query: z.strictObject({
    ...pageQueryShape,
    target: z.string().min(1).max(2048).optional(),
    status: z.enum(['open', 'fixed', 'accepted']).optional(),
  }),
  response: { schema: pageOf(findingSchema) },
  async handler({ query, deps }) {
    return deps.store.findings.list(query);
  },
});

const get = defineRoute('findings', {
  method: 'GET',
  url: '/findings/:id',
  summary: 'One finding',
  access: 'read',
  params: idParams('fnd'),
  response: { schema: findingSchema },
  async handler({ params, deps }) {
    const finding = await deps.store.findings.get(params.id);
    if (!finding) throw new EnsuresecError('not_found', { detail: `Finding ${params.id} does not exist.` });
    return finding;
  },
});

/** Accept a risk (later scans keep it accepted) or reopen it; `fixed` is for scans to say. */
const setStatus = defineRoute('findings', {
  method: 'PATCH',
  url: '/findings/:id',
  summary: "Set a finding's status by hand: `accepted` (a risk taken, with a reason) or `open` again",
  access: 'write:security',
  params: idParams('fnd'),
  body: z.strictObject({ status: z.enum(['open', 'accepted']), reason: z.string().min(1).max(1024) }),
  response: { schema: findingSchema },
  async handler({ params, body, principal, deps }) {
    const finding = await deps.ledger.commit({
      kind: 'finding.updated',
      actor: principal.user.id,
      write: async (tx) => {
        const current = await tx.findings.get(params.id);
        if (!current) return undefined;
        const next: Finding = {
          ...current,
          status: body.status,
          statusReason: body.reason,
          ...(body.status === 'open' ? { fixedAt: null } : {}),
        };
        await tx.findings.update(next);
        return next;
      },
    });
    if (!finding) throw new EnsuresecError('not_found', { detail: `Finding ${params.id} does not exist.` });
    return finding;
  },
});

export const findingRoutes = [list, get, setStatus];
