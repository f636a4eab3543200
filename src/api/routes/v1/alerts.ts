/** Alert routes (api/v1): what detectors concluded; analysts acknowledge and close them. */
import { z } from 'zod';
import { EnsuresecError } from '../../../core/errors.js';
import { alertSchema, isoTimestamp, severity } from '../../../core/records/index.js';
import { defineRoute } from '../../route.js';
import { idParams, pageOf, pageQueryShape } from '../../schemas.js';

const alertStatus = z.enum(['open', 'acknowledged', 'closed']);

const list = defineRoute('alerts', {
  method: 'GET',
  url: '/alerts',
  summary: 'List alerts, newest first, by status, severity, time, rule and detector',
  access: 'read',
  query: z.strictObject({
    ...pageQueryShape,
    status: alertStatus.optional(),
    severity: severity.optional(),
    since: isoTimestamp.optional(),
    ruleId: z.string().min(1).max(256).optional(),
    detector: z.string().min(1).max(128).optional(),
  }),
  response: { schema: pageOf(alertSchema) },
  async handler({ query, deps }) {
    return deps.store.alerts.list(query);
  },
});

const get = defineRoute('alerts', {
  method: 'GET',
  url: '/alerts/:id',
  summary: 'One alert',
  access: 'read',
  params: idParams('alr'),
  response: { schema: alertSchema },
  async handler({ params, deps }) {
    const alert = await deps.store.alerts.get(params.id);
    if (!alert) throw new EnsuresecError('not_found', { detail: `Alert ${params.id} does not exist.` });
    return alert;
  },
});

const setStatus = defineRoute('alerts', {
  method: 'PATCH',
  url: '/alerts/:id',
  summary: "Change an alert's status (acknowledge, close, reopen)",
  access: 'write:security',
  params: idParams('alr'),
  body: z.strictObject({ status: alertStatus }),
  response: { schema: alertSchema },
  async handler({ params, body, principal, deps }) {
    const alert = await deps.ledger.commit({
      kind: 'alert.status_changed',
      actor: principal.user.id,
      write: (tx) => tx.alerts.setStatus(params.id, body.status),
    });
    if (!alert) throw new EnsuresecError('not_found', { detail: `Alert ${params.id} does not exist.` });
    return alert;
  },
});

export const alertRoutes = [list, get, setStatus];
