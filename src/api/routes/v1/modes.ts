/**
 * Fail-safe mode routes (api/v1): every reader sees the defined modes and which are in force;
 * analysts and admins (`write:security`, as for decisions) switch them. Each switch goes
 * through the ModeService: ledger-recorded with its author and reason, published on
 * TOPICS.modes so every gateway follows within a second.
 */
import { z } from 'zod';
import { parseDurationMs } from '../../../core/duration.js';
import { EnsuresecError } from '../../../core/errors.js';
import { MODE_EFFECTS, MODE_NAME_PATTERN, compileModes } from '../../../gateway/modes/definitions.js';
import { ModeService } from '../../../response/modes/service.js';
import { defineRoute } from '../../route.js';
import type { ResolvedApiDeps } from '../../types.js';

const modeRecordSchema = z.object({
  name: z.string(),
  enabledAt: z.string(),
  enabledBy: z.string(),
  reason: z.string(),
  until: z.string().nullable(),
  recovery: z.object({ ruleId: z.string(), quietMs: z.number() }).nullable(),
  disabledAt: z.string().optional(),
  disabledBy: z.string().optional(),
  disabledReason: z.string().optional(),
});

const modeViewSchema = z.object({
  name: z.string(),
  description: z.string(),
  effect: z.enum(MODE_EFFECTS),
  active: modeRecordSchema.nullable(),
});

const nameParams = z.strictObject({
  name: z.string().regex(MODE_NAME_PATTERN, 'a mode name: lower-case letters, digits and dashes'),
});

const durationText = z
  .string()
  .max(16)
  .refine((text) => parseDurationMs(text) !== undefined, 'a duration such as "30m", "2h" or "1d"');

const fallbackServices = new WeakMap<ResolvedApiDeps, ModeService>();

/** The composition root's service; without one (tests, older roots) the built-in modes. */
function modesOf(deps: ResolvedApiDeps): ModeService {
  if (deps.modes !== undefined) return deps.modes;
  let service = fallbackServices.get(deps);
  if (service === undefined) {
    const { store, ledger, bus, clock, logger } = deps;
    service = new ModeService({ store, ledger, bus, clock, logger, catalogue: compileModes() });
    fallbackServices.set(deps, service);
  }
  return service;
}

const list = defineRoute('modes', {
  method: 'GET',
  url: '/modes',
  summary: 'Every defined fail-safe mode, with who switched it on, why and until when if it is in force',
  access: 'read',
  response: { schema: z.object({ items: z.array(modeViewSchema) }) },
  async handler({ deps }) {
    return { items: await modesOf(deps).list() };
  },
});

const enable = defineRoute('modes', {
  method: 'POST',
  url: '/modes/:name/enable',
  summary: 'Switch a mode on (or change its end) for `ttl` ("30m"; absent: until disabled), with a reason',
  access: 'write:security',
  params: nameParams,
  body: z.strictObject({
    ttl: durationText.optional(),
    reason: z.string().min(1).max(1024),
    recovery: z.strictObject({ ruleId: z.string().min(1).max(256), quiet: durationText }).optional(),
  }),
  response: { schema: modeRecordSchema },
  async handler({ params, body, principal, deps }) {
    const ttlMs = body.ttl === undefined ? null : (parseDurationMs(body.ttl) as number);
    const recovery =
      body.recovery === undefined
        ? null
        : { ruleId: body.recovery.ruleId, quietMs: parseDurationMs(body.recovery.quiet) as number };
    return modesOf(deps).enable({
      name: params.name,
      ttlMs,
      reason: body.reason,
      recovery,
      author: { id: principal.user.id, name: principal.user.name },
    });
  },
});

const disable = defineRoute('modes', {
  method: 'POST',
  url: '/modes/:name/disable',
  summary: 'Switch a mode off, with a reason; 409 when it is not in force',
  access: 'write:security',
  params: nameParams,
  body: z.strictObject({ reason: z.string().min(1).max(1024) }),
  response: { schema: modeRecordSchema },
  async handler({ params, body, principal, deps }) {
    if (!modesOf(deps).catalogue.has(params.name))
      throw new EnsuresecError('mode_unknown', { detail: `"${params.name}" is not a defined mode.` });
    return modesOf(deps).disable({
      name: params.name,
      reason: body.reason,
      author: { id: principal.user.id, name: principal.user.name },
    });
  },
});

export const modeRoutes = [list, enable, disable];
