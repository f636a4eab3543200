/**
 * Incident case routes (api/v1): the case view (timeline, legal timestamps, significance,
 * clocks), appending to the timeline, the status workflow, impact figures and the significance
 * assessment with a person's confirmation or override. Every write goes through the incidents
 * stage, which commits it to the ledger.
 */
import { z } from 'zod';
import { INCIDENT_STATUSES, incidentEntrySchema } from '../../../core/records/index.js';
import { buildDraft } from '../../../incidents/reports/drafts.js';
import { renderMarkdown } from '../../../incidents/reports/markdown.js';
import { renderPdf } from '../../../incidents/reports/pdf.js';
import { IncidentCases } from '../../../incidents/service.js';
import { EnsuresecError } from '../../../core/errors.js';
import { REPORT_STAGES } from '../../../regulation/deadlines.js';
import { appendEntryBody, impactData, type AppendEntryInput } from '../../../incidents/timeline.js';
import { defineRoute } from '../../route.js';
import type { ResolvedApiDeps } from '../../types.js';
import { idParams } from '../../schemas.js';

/** The case as JSON; its parts are documented in docs/incidents.md. */
export const caseViewSchema = z.looseObject({
  incident: z.looseObject({ id: z.string(), status: z.enum(INCIDENT_STATUSES) }),
  legalTimes: z.record(z.string(), z.unknown()),
  significant: z.enum(['yes', 'no', 'undetermined']),
  assessment: z.unknown(),
  clocks: z.array(z.looseObject({ stage: z.string(), state: z.string(), dueAt: z.string().nullable() })),
  timeline: z.array(incidentEntrySchema),
});

function casesOf(deps: ResolvedApiDeps): IncidentCases {
  return new IncidentCases({
    store: deps.store,
    ledger: deps.ledger,
    clock: deps.clock,
    profile: deps.entity,
    bus: deps.bus,
    logger: deps.logger,
  });
}

const params = idParams('inc');

const show = defineRoute('incidents', {
  method: 'GET',
  url: '/incidents/:id/case',
  summary: 'One incident case: timeline, legal timestamps, impact, significance and deadline clocks',
  access: 'read',
  params,
  response: { schema: caseViewSchema },
  async handler({ params: { id }, deps }) {
    return casesOf(deps).view(id);
  },
});

const append = defineRoute('incidents', {
  method: 'POST',
  url: '/incidents/:id/timeline',
  summary: "Append an entry to an incident's timeline (never edited; a correction is a new entry)",
  access: 'write:security',
  params,
  body: appendEntryBody,
  response: { status: 201, schema: incidentEntrySchema },
  async handler({ params: { id }, body, principal, deps }) {
    // The discriminated union's output is exactly AppendEntryInput; zod cannot name it per kind.
    return casesOf(deps).append(id, body as AppendEntryInput, principal.user.id);
  },
});

const status = defineRoute('incidents', {
  method: 'POST',
  url: '/incidents/:id/status',
  summary:
    'Move an incident through the workflow new → triaged → contained → eradicated → recovered → closed',
  access: 'write:security',
  params,
  body: z.strictObject({
    status: z.enum(INCIDENT_STATUSES),
    reason: z.string().trim().min(1).max(2000).optional(),
  }),
  response: { schema: caseViewSchema },
  async handler({ params: { id }, body, principal, deps }) {
    return casesOf(deps).setStatus(id, body.status, body.reason, principal.user.id);
  },
});

const impact = defineRoute('incidents', {
  method: 'POST',
  url: '/incidents/:id/impact',
  summary: 'Record the impact figures (a full snapshot); the incident is re-assessed',
  access: 'write:security',
  params,
  body: impactData,
  response: { schema: caseViewSchema },
  async handler({ params: { id }, body, principal, deps }) {
    return casesOf(deps).recordImpact(id, body, principal.user.id);
  },
});

const assess = defineRoute('incidents', {
  method: 'POST',
  url: '/incidents/:id/assess',
  summary: 'Assess significance criterion by criterion; optionally confirm or override it with a reason',
  access: 'write:security',
  params,
  body: z.strictObject({
    decision: z
      .strictObject({ significant: z.enum(['yes', 'no']), reason: z.string().trim().min(1).max(4000) })
      .optional(),
  }),
  response: { schema: caseViewSchema },
  async handler({ params: { id }, body, principal, deps }) {
    return casesOf(deps).assess(id, principal.user.id, 'request', body.decision);
  },
});

const report = defineRoute('incidents', {
  method: 'GET',
  url: '/incidents/:id/reports/:stage',
  summary:
    'A report draft (early warning, notification, intermediate, progress, final, GDPR) as JSON and Markdown, missing fields flagged',
  access: 'read',
  params: params.extend({ stage: z.enum(REPORT_STAGES) }),
  query: z.strictObject({ format: z.enum(['json', 'md', 'pdf']).default('json') }),
  response: {
    description:
      'format=md: the draft as text/markdown; format=pdf: the draft as application/pdf, marked DRAFT',
    schema: z.looseObject({
      stage: z.enum(REPORT_STAGES),
      fields: z.array(z.looseObject({ key: z.string(), missing: z.boolean() })),
      missing: z.array(z.string()),
      markdown: z.string(),
    }),
  },
  async handler({ params: { id, stage }, query, deps, reply }) {
    if (deps.entity === undefined) throw new EnsuresecError('entity_profile_missing');
    const draft = buildDraft(stage, await casesOf(deps).view(id), deps.entity, deps.clock.nowMs());
    if (query.format === 'pdf') {
      reply.header(
        'content-disposition',
        `attachment; filename="${id}-${stage.replaceAll('_', '-')}-draft.pdf"`,
      );
      return reply.type('application/pdf').send(Buffer.from(await renderPdf(draft)));
    }
    if (query.format === 'md') {
      reply.header(
        'content-disposition',
        `attachment; filename="${id}-${stage.replaceAll('_', '-')}-draft.md"`,
      );
      return reply.type('text/markdown; charset=utf-8').send(renderMarkdown(draft));
    }
    return { ...draft, markdown: renderMarkdown(draft) };
  },
});

export const incidentCaseRoutes = [show, append, status, impact, assess, report];
