/**
 * Partner views (api/v1): what payment and delivery partners may see, pseudonymised
 * (equal values stay equal, so a partner can correlate without learning the value).
 */
import { z } from 'zod';
import { isoNow } from '../../../core/clock.js';
import { pseudonymiseRecord } from '../../../core/pseudonymise.js';
import { alertSchema, decisionSchema, severity } from '../../../core/records/index.js';
import { defineRoute } from '../../route.js';
import { pageOf, pageQueryShape } from '../../schemas.js';

const decisions = defineRoute('partner', {
  method: 'GET',
  url: '/partner/decisions',
  summary: 'Decisions in force now, pseudonymised',
  access: 'read:partner',
  response: { schema: z.object({ items: z.array(decisionSchema) }) },
  async handler({ deps }) {
    const active = await deps.store.decisions.listActive(isoNow(deps.clock));
    return {
      items: active.map((decision) =>
        pseudonymiseRecord(decisionSchema, decision, deps.pseudonymisationKey, { scrubText: true }),
      ),
    };
  },
});

const alerts = defineRoute('partner', {
  method: 'GET',
  url: '/partner/alerts',
  summary: 'Alerts, newest first, pseudonymised',
  access: 'read:partner',
  query: z.strictObject({ ...pageQueryShape, severity: severity.optional() }),
  response: { schema: pageOf(alertSchema) },
  async handler({ query, deps }) {
    const page = await deps.store.alerts.list(query);
    return {
      items: page.items.map((alert) =>
        pseudonymiseRecord(alertSchema, alert, deps.pseudonymisationKey, { scrubText: true }),
      ),
      nextCursor: page.nextCursor,
    };
  },
});

export const partnerRoutes = [decisions, alerts];
