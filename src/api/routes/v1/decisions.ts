/**
 * Decision routes (api/v1): what gateways enforce. Reads for every reader role, writes
 * for analysts and admins; each write is published on TOPICS.decisions as a
 * DecisionChange so in-process and remote gateways apply it at once.
 */
import { z } from 'zod';
import { TOPICS, type DecisionChange } from '../../../bus/bus.js';
import { isoNow } from '../../../core/clock.js';
import { EnsuresecError } from '../../../core/errors.js';
import { newId } from '../../../core/ids.js';
import {
  DECISION_ACTIONS,
  DECISION_ORIGINS,
  DECISION_SCOPES,
  decisionSchema,
  idOf,
  isoTimestamp,
  type Decision,
} from '../../../core/records/index.js';
import { defineRoute } from '../../route.js';
import type { ResolvedApiDeps } from '../../types.js';
import { idParams, pageOf, pageQueryShape } from '../../schemas.js';

const DURATION_UNIT_MS = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const;
const DURATION_PATTERN = /^([1-9]\d{0,5})([smhd])$/;

/** '4h' → 14 400 000; undefined when the text is not a duration. */
export function parseDurationMs(text: string): number | undefined {
  const match = DURATION_PATTERN.exec(text);
  if (!match) return undefined;
  return Number(match[1]) * DURATION_UNIT_MS[match[2] as keyof typeof DURATION_UNIT_MS];
}

async function publishChange(deps: ResolvedApiDeps, change: DecisionChange, id: string): Promise<void> {
  try {
    await deps.bus.publish<DecisionChange>(TOPICS.decisions, change, { id });
  } catch (error) {
    // The store already holds the change and gateways also reload active decisions, so
    // a bus hiccup must not turn a done write into an error for the caller.
    deps.logger.error({ err: error, topic: TOPICS.decisions }, 'publishing a decision change failed');
  }
}

const list = defineRoute('decisions', {
  method: 'GET',
  url: '/decisions',
  summary: 'List decisions, newest first; ?active=true for those in force now',
  access: 'read',
  query: z.strictObject({
    ...pageQueryShape,
    active: z.enum(['true', 'false']).optional(),
    scope: z.enum(DECISION_SCOPES).optional(),
    value: z.string().min(1).max(256).optional(),
    action: z.enum(DECISION_ACTIONS).optional(),
    origin: z.enum(DECISION_ORIGINS).optional(),
  }),
  response: { schema: pageOf(decisionSchema) },
  async handler({ query, deps }) {
    const { active, ...filters } = query;
    return deps.store.decisions.list({
      ...filters,
      ...(active === 'true' ? { activeAt: isoNow(deps.clock) } : {}),
    });
  },
});

const listActive = defineRoute('decisions', {
  method: 'GET',
  url: '/decisions/active',
  summary: 'Every decision in force now, unpaginated (what gateways load)',
  access: 'read',
  response: { schema: z.object({ items: z.array(decisionSchema) }) },
  async handler({ deps }) {
    return { items: await deps.store.decisions.listActive(isoNow(deps.clock)) };
  },
});

const get = defineRoute('decisions', {
  method: 'GET',
  url: '/decisions/:id',
  summary: 'One decision',
  access: 'read',
  params: idParams('dec'),
  response: { schema: decisionSchema },
  async handler({ params, deps }) {
    const decision = await deps.store.decisions.get(params.id);
    if (!decision) throw new EnsuresecError('not_found', { detail: `Decision ${params.id} does not exist.` });
    return decision;
  },
});

const create = defineRoute('decisions', {
  method: 'POST',
  url: '/decisions',
  summary: 'Add a decision for `duration` ("30m", "4h", "7d") or until `expiresAt`; neither: until deleted',
  access: 'write:security',
  body: z
    .strictObject({
      action: z.enum(DECISION_ACTIONS),
      scope: z.enum(DECISION_SCOPES),
      value: z.string().min(1).max(256),
      duration: z.string().regex(DURATION_PATTERN, 'a number and s, m, h or d, e.g. "4h"').optional(),
      expiresAt: isoTimestamp.optional(),
      reason: z.string().max(1024).optional(),
      ratePerMinute: z.number().int().min(1).max(1_000_000).optional(),
      alertId: idOf('alr').optional(),
      /** The CLI says 'cli'; everything else is 'api'. */
      origin: z.enum(['api', 'cli']).default('api'),
    })
    .refine((body) => !(body.duration && body.expiresAt), 'send duration or expiresAt, not both'),
  response: { status: 201, schema: decisionSchema },
  async handler({ body, principal, deps }) {
    const nowMs = deps.clock.nowMs();
    const { duration, expiresAt, ...rest } = body;
    const durationMs = duration === undefined ? undefined : parseDurationMs(duration);
    const candidate = {
      ...rest,
      id: newId('dec', nowMs),
      createdAt: new Date(nowMs).toISOString(),
      expiresAt: durationMs !== undefined ? new Date(nowMs + durationMs).toISOString() : (expiresAt ?? null),
      createdBy: principal.user.name,
      originRef:
        principal.via === 'token' && principal.token
          ? `token:${principal.token.id}`
          : `user:${principal.user.name}`,
    };
    const parsed = decisionSchema.safeParse(candidate);
    if (!parsed.success) {
      throw new EnsuresecError('validation_failed', {
        detail: 'The decision is invalid.',
        details: parsed.error.issues.map((issue) => ({
          in: 'body',
          path: issue.path.map(String).join('.'),
          code: issue.code,
          message: issue.message,
        })),
      });
    }
    if (parsed.data.expiresAt !== null && Date.parse(parsed.data.expiresAt) <= nowMs) {
      throw new EnsuresecError('validation_failed', { detail: 'expiresAt is in the past.' });
    }
    const decision: Decision = parsed.data;
    await deps.ledger.commit({
      kind: 'decision.created',
      actor: principal.user.id,
      write: async (tx) => {
        await tx.decisions.insert(decision);
        return decision;
      },
    });
    await publishChange(deps, { type: 'created', decision }, `decision.created.${decision.id}`);
    return decision;
  },
});

const remove = defineRoute('decisions', {
  method: 'DELETE',
  url: '/decisions/:id',
  summary: 'Delete a decision (gateways stop enforcing it)',
  access: 'write:security',
  params: idParams('dec'),
  response: { status: 204, description: 'Deleted' },
  async handler({ params, principal, deps }) {
    const deleted = await deps.ledger.commit({
      kind: 'decision.deleted',
      actor: principal.user.id,
      write: async (tx) => {
        const decision = await tx.decisions.get(params.id);
        return decision && (await tx.decisions.delete(params.id)) ? decision : undefined;
      },
    });
    if (!deleted) {
      throw new EnsuresecError('not_found', { detail: `Decision ${params.id} does not exist.` });
    }
    await publishChange(deps, { type: 'deleted', id: params.id }, `decision.deleted.${params.id}`);
  },
});

export const decisionRoutes = [list, listActive, get, create, remove];
