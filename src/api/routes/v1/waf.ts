/**
 * Virtual patch routes (api/v1): readers see the virtual patches the running WAF enforces;
 * only an admin accepts a proposal (`ensuresec scan --virtual-patches FILE`, sent as text) or
 * removes a patch. Each change is validated, loaded into the running gateway without a restart
 * and recorded in the ledger (src/server/virtual-patches.ts).
 */
import { z } from 'zod';
import { EnsuresecError } from '../../../core/errors.js';
import { VIRTUAL_PATCH_FIRST_ID, VIRTUAL_PATCH_LAST_ID } from '../../../scan/virtual-patches.js';
import { MAX_VIRTUAL_PATCH_TEXT_BYTES, type VirtualPatchService } from '../../../server/virtual-patches.js';
import { defineRoute } from '../../route.js';
import type { ResolvedApiDeps } from '../../types.js';

const patchSchema = z.object({
  ruleId: z.number(),
  fingerprint: z.string(),
  checkId: z.string().nullable(),
  message: z.string().nullable(),
  rule: z.string(),
  acceptedAt: z.string(),
  acceptedBy: z.string(),
});

function serviceOf(deps: ResolvedApiDeps): VirtualPatchService {
  if (deps.virtualPatches === undefined)
    throw new EnsuresecError('waf_unavailable', { detail: 'This API serves no gateway.' });
  return deps.virtualPatches;
}

const list = defineRoute('waf', {
  method: 'GET',
  url: '/waf/virtual-patches',
  summary: 'The virtual patches the running WAF enforces, with who accepted them and when',
  access: 'read',
  response: { schema: z.object({ items: z.array(patchSchema) }) },
  async handler({ deps }) {
    return { items: deps.virtualPatches?.list() ?? [] };
  },
});

const accept = defineRoute('waf', {
  method: 'POST',
  url: '/waf/virtual-patches',
  summary:
    'Accept proposed virtual patches (the text `ensuresec scan --virtual-patches` wrote): validated, loaded into the running WAF, recorded in the ledger',
  access: 'write:admin',
  body: z.strictObject({ rules: z.string().min(1).max(MAX_VIRTUAL_PATCH_TEXT_BYTES) }),
  response: {
    status: 201,
    schema: z.object({ accepted: z.array(patchSchema), rules: z.number() }),
  },
  async handler({ body, principal, deps, reply }) {
    const outcome = await serviceOf(deps).accept(body.rules, principal.user.id);
    void reply.status(201);
    return outcome;
  },
});

const remove = defineRoute('waf', {
  method: 'DELETE',
  url: '/waf/virtual-patches/:ruleId',
  summary: 'Remove an accepted virtual patch (its flaw is fixed): the running WAF stops enforcing it',
  access: 'write:admin',
  params: z.strictObject({
    ruleId: z.coerce.number().int().min(VIRTUAL_PATCH_FIRST_ID).max(VIRTUAL_PATCH_LAST_ID),
  }),
  response: { schema: z.object({ removed: patchSchema, rules: z.number() }) },
  async handler({ params, principal, deps }) {
    return serviceOf(deps).remove(params.ruleId, principal.user.id);
  },
});

export const wafRoutes = [list, accept, remove];
