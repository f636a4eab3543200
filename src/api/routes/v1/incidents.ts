/**
 * Incident routes (api/v1): cases gathering alerts and impact; analysts open and update them.
 * Each committed write is announced on TOPICS.incidents (an IncidentChange) for the live stream.
 */
import { z } from 'zod';
import { isoNow } from '../../../core/clock.js';
import { EnsuresecError } from '../../../core/errors.js';
import { newId, ulid } from '../../../core/ids.js';
import { announceIncidentChange } from '../../../incidents/changes.js';
import { IncidentCases } from '../../../incidents/service.js';
import { assertTransition } from '../../../incidents/workflow.js';
import {
  INCIDENT_STATUSES,
  idOf,
  incidentSchema,
  severity,
  type Incident,
} from '../../../core/records/index.js';
import { defineRoute } from '../../route.js';
import { idParams, pageOf, pageQueryShape } from '../../schemas.js';

const impact = z.strictObject({
  affectedCustomers: z.number().int().min(0).optional(),
  financialLossMinor: z.number().int().min(0).optional(),
  serviceDowntimeMinutes: z.number().min(0).optional(),
});
const editable = {
  title: z.string().min(1).max(512),
  summary: z.string().max(16384),
  severity,
  alertIds: z.array(idOf('alr')).max(10000),
  impact,
  labels: z.record(z.string().max(128), z.string().max(1024)),
};

function validIncident(candidate: unknown): Incident {
  const parsed = incidentSchema.safeParse(candidate);
  if (parsed.success) return parsed.data;
  throw new EnsuresecError('validation_failed', {
    details: parsed.error.issues.map((issue) => ({
      in: 'body',
      path: issue.path.join('.'),
      message: issue.message,
    })),
  });
}

const list = defineRoute('incidents', {
  method: 'GET',
  url: '/incidents',
  summary: 'List incidents, newest first, by status',
  access: 'read',
  query: z.strictObject({ ...pageQueryShape, status: z.enum(INCIDENT_STATUSES).optional() }),
  response: { schema: pageOf(incidentSchema) },
  async handler({ query, deps }) {
    return deps.store.incidents.list(query);
  },
});

const get = defineRoute('incidents', {
  method: 'GET',
  url: '/incidents/:id',
  summary: 'One incident',
  access: 'read',
  params: idParams('inc'),
  response: { schema: incidentSchema },
  async handler({ params, deps }) {
    const incident = await deps.store.incidents.get(params.id);
    if (!incident) throw new EnsuresecError('not_found', { detail: `Incident ${params.id} does not exist.` });
    return incident;
  },
});

const create = defineRoute('incidents', {
  method: 'POST',
  url: '/incidents',
  summary: 'Open an incident',
  access: 'write:security',
  body: z.strictObject({
    title: editable.title,
    severity: editable.severity,
    summary: editable.summary.optional(),
    alertIds: editable.alertIds.optional(),
    impact: editable.impact.optional(),
    labels: editable.labels.optional(),
    /** Legal timestamps, recorded once on the timeline (docs/incidents.md). */
    detectedAt: z.iso.datetime({ offset: true }).optional(),
    awareAt: z.iso.datetime({ offset: true }).optional(),
  }),
  response: { status: 201, schema: incidentSchema },
  async handler({ body, principal, deps }) {
    const now = isoNow(deps.clock);
    const { detectedAt, awareAt, ...fields } = body;
    const incident = validIncident({
      ...fields,
      id: newId('inc'),
      createdAt: now,
      updatedAt: now,
      status: 'new',
    });
    await deps.ledger.commit({
      kind: 'incident.created',
      actor: principal.user.id,
      write: async (tx) => {
        await tx.incidents.insert(incident);
        return incident;
      },
    });
    await announceIncidentChange(
      deps,
      { type: 'created', incidentId: incident.id, status: incident.status },
      incident.id,
    );
    const cases = new IncidentCases({
      store: deps.store,
      ledger: deps.ledger,
      clock: deps.clock,
      profile: deps.entity,
      bus: deps.bus,
      logger: deps.logger,
    });
    if (detectedAt !== undefined)
      await cases.recordLegalTime(incident.id, 'detected', detectedAt, principal.user.id);
    if (awareAt !== undefined) await cases.recordLegalTime(incident.id, 'aware', awareAt, principal.user.id);
    return incident;
  },
});

const update = defineRoute('incidents', {
  method: 'PATCH',
  url: '/incidents/:id',
  summary: "Update an incident's fields or status",
  access: 'write:security',
  params: idParams('inc'),
  body: z
    .strictObject({
      title: editable.title.optional(),
      summary: editable.summary.optional(),
      severity: editable.severity.optional(),
      status: z.enum(INCIDENT_STATUSES).optional(),
      alertIds: editable.alertIds.optional(),
      impact: editable.impact.optional(),
      labels: editable.labels.optional(),
    })
    .refine((patch) => Object.keys(patch).length > 0, 'send at least one field'),
  response: { schema: incidentSchema },
  async handler({ params, body, principal, deps }) {
    // Read and replaced in the one transaction, so a concurrent update is never lost.
    const stored = await deps.ledger.commit({
      kind: 'incident.updated',
      actor: principal.user.id,
      write: async (tx) => {
        const existing = await tx.incidents.get(params.id);
        if (!existing) return undefined;
        if (body.status !== undefined && body.status !== existing.status) {
          // The workflow holds here too; moves that need a reason go through POST /incidents/:id/status.
          assertTransition(existing.status, body.status);
          const at = isoNow(deps.clock);
          await tx.incidentEntries.append({
            id: `ine_${ulid(deps.clock.nowMs())}`,
            incidentId: existing.id,
            at,
            actor: principal.user.id,
            kind: 'status',
            data: { from: existing.status, to: body.status },
          });
        }
        return tx.incidents.update(validIncident({ ...existing, ...body, updatedAt: isoNow(deps.clock) }));
      },
    });
    if (!stored) throw new EnsuresecError('not_found', { detail: `Incident ${params.id} does not exist.` });
    await announceIncidentChange(deps, { type: 'updated', incidentId: stored.id, status: stored.status });
    return stored;
  },
});

export const incidentRoutes = [list, get, create, update];
