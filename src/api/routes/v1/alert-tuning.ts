/**
 * Alert tuning and counts (api/v1): the dashboard's "mark false positive" — the alert is closed
 * and a tuning entry (rule + entity, or rule alone) is recorded in one ledger commit, so the
 * alert writer raises no new alert of that rule about that entity — the tuning entries' list
 * and removal, and the number of alerts by status and severity (the overview counts every
 * alert, not a page of them).
 */
import { z } from 'zod';
import { isoNow } from '../../../core/clock.js';
import { EnsuresecError } from '../../../core/errors.js';
import { newId } from '../../../core/ids.js';
import {
  alertEntity,
  alertSuppressionSchema,
  severity,
  type AlertSuppression,
} from '../../../core/records/index.js';
import { defineRoute } from '../../route.js';
import { idParams, pageOf, pageQueryShape } from '../../schemas.js';

const counts = defineRoute('alerts', {
  method: 'GET',
  url: '/alerts/counts',
  summary: 'The number of alerts by status and severity',
  access: 'read',
  response: {
    schema: z.object({
      items: z.array(
        z.object({
          status: z.enum(['open', 'acknowledged', 'closed']),
          severity,
          count: z.number().int(),
        }),
      ),
    }),
  },
  async handler({ deps }) {
    return { items: await deps.store.alerts.countByStatusAndSeverity() };
  },
});

const markFalsePositive = defineRoute('alerts', {
  method: 'POST',
  url: '/alerts/:id/false-positive',
  summary:
    'Mark an alert a false positive: close it and suppress its rule for its entity (or for every entity) from now on',
  access: 'write:security',
  params: idParams('alr'),
  body: z.strictObject({
    reason: z.string().trim().min(1).max(512),
    /** `entity` (default): this rule about this entity; `rule`: this rule about any entity. */
    scope: z.enum(['entity', 'rule']).default('entity'),
  }),
  response: { status: 201, schema: alertSuppressionSchema },
  async handler({ params, body, principal, deps }) {
    const suppression = await deps.ledger.commit({
      kind: 'alert.suppressed',
      actor: principal.user.id,
      write: async (tx) => {
        const alert = await tx.alerts.get(params.id);
        if (!alert) return undefined;
        const entity = body.scope === 'rule' ? null : alertEntity(alert);
        if (body.scope === 'entity' && entity === null) {
          throw new EnsuresecError('bad_request', {
            detail: 'This alert names no entity: suppress its rule for every entity (scope "rule").',
          });
        }
        const record: AlertSuppression = {
          id: newId('sup'),
          ruleId: alert.ruleId,
          entity,
          alertId: alert.id,
          reason: body.reason,
          createdAt: isoNow(deps.clock),
          createdBy: principal.user.id,
        };
        await tx.alertSuppressions.insert(record);
        if (alert.status !== 'closed') await tx.alerts.setStatus(alert.id, 'closed');
        return record;
      },
    });
    if (!suppression) throw new EnsuresecError('not_found', { detail: `Alert ${params.id} does not exist.` });
    return suppression;
  },
});

const list = defineRoute('alerts', {
  method: 'GET',
  url: '/alerts/suppressions',
  summary: 'Tuning entries (alerts marked false positive), newest first, by rule',
  access: 'read',
  query: z.strictObject({ ...pageQueryShape, ruleId: z.string().min(1).max(256).optional() }),
  response: { schema: pageOf(alertSuppressionSchema) },
  async handler({ query, deps }) {
    return deps.store.alertSuppressions.list(query);
  },
});

const remove = defineRoute('alerts', {
  method: 'DELETE',
  url: '/alerts/suppressions/:id',
  summary: 'Remove a tuning entry: the rule raises alerts about that entity again',
  access: 'write:security',
  params: idParams('sup'),
  response: { status: 204, description: 'Removed' },
  async handler({ params, principal, deps }) {
    const removed = await deps.ledger.commit({
      kind: 'alert.suppression_removed',
      actor: principal.user.id,
      write: async (tx) => {
        const suppression = await tx.alertSuppressions.get(params.id);
        if (!suppression || !(await tx.alertSuppressions.delete(params.id))) return undefined;
        return suppression;
      },
    });
    if (!removed)
      throw new EnsuresecError('not_found', { detail: `Tuning entry ${params.id} does not exist.` });
  },
});

export const alertTuningRoutes = [counts, markFalsePositive, list, remove];
