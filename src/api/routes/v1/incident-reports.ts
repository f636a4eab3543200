/**
 * Incident report routes (api/v1): edit a draft field by field, freeze it into an immutable
 * version (v1, v2, …), export a version as JSON (docs/schemas/incident-report.schema.json),
 * Markdown, PDF or STIX 2.1, record its submission (download, or email to the CSIRT through the
 * outbox), draft the customer communication (NIS2 Art. 23(1)-(2), GDPR Art. 34), and list the
 * deadlines that are due soon or overdue across open cases.
 */
import { z } from 'zod';
import { EnsuresecError } from '../../../core/errors.js';
import { incidentReportSchema, type IncidentReport } from '../../../core/records/incident-report.js';
import { incidentEntrySchema } from '../../../core/records/index.js';
import { draftCustomerCommunication } from '../../../incidents/reports/customer-communication.js';
import { reportFileName } from '../../../incidents/reports/frozen.js';
import { renderMarkdown } from '../../../incidents/reports/markdown.js';
import { IncidentReports } from '../../../incidents/reports/service.js';
import { dueReminders } from '../../../incidents/reminders.js';
import { IncidentCases } from '../../../incidents/service.js';
import { reportOverrideData } from '../../../incidents/timeline.js';
import { REPORT_STAGES } from '../../../regulation/deadlines.js';
import { memberState } from '../../../regulation/profile.js';
import { defineRoute } from '../../route.js';
import type { ResolvedApiDeps } from '../../types.js';
import { idParams } from '../../schemas.js';

function reportsOf(deps: ResolvedApiDeps): IncidentReports {
  return new IncidentReports({
    store: deps.store,
    ledger: deps.ledger,
    clock: deps.clock,
    profile: deps.entity,
    mail: deps.mail,
    bus: deps.bus,
    logger: deps.logger,
  });
}

const caseParams = idParams('inc');
const stageParams = caseParams.extend({ stage: z.enum(REPORT_STAGES) });
const reportParams = idParams('rpt');

const draftSchema = z.looseObject({
  stage: z.enum(REPORT_STAGES),
  fields: z.array(z.looseObject({ key: z.string(), missing: z.boolean() })),
  missing: z.array(z.string()),
  markdown: z.string(),
});

/** A version as lists show it: what identifies it, never its content. */
const reportSummarySchema = z.object({
  id: z.string(),
  stage: z.string(),
  version: z.number(),
  frozenAt: z.string(),
  frozenBy: z.string(),
  missing: z.array(z.string()),
  indicators: z.number(),
  sha256: z.string(),
});

const summaryOf = (report: IncidentReport): z.infer<typeof reportSummarySchema> => ({
  id: report.id,
  stage: report.stage,
  version: report.version,
  frozenAt: report.frozenAt,
  frozenBy: report.frozenBy,
  missing: report.missing,
  indicators: report.indicators.length,
  sha256: report.sha256,
});

const override = defineRoute('incidents', {
  method: 'POST',
  url: '/incidents/:id/reports/:stage/overrides',
  summary: "Replace one field of a report draft before it is frozen (value null restores the case's value)",
  access: 'write:security',
  params: stageParams,
  body: reportOverrideData.omit({ stage: true }),
  response: { status: 201, schema: draftSchema },
  async handler({ params: { id, stage }, body, principal, deps, reply }) {
    const draft = await reportsOf(deps).override(id, stage, body, principal.user.id);
    reply.code(201);
    return { ...draft, markdown: renderMarkdown(draft) };
  },
});

const freeze = defineRoute('incidents', {
  method: 'POST',
  url: '/incidents/:id/reports/:stage/freeze',
  summary: 'Freeze the report draft as it stands into its next immutable version (ledger: report.frozen)',
  access: 'write:security',
  params: stageParams,
  body: z.strictObject({}).optional(),
  response: { status: 201, schema: incidentReportSchema },
  async handler({ params: { id, stage }, principal, deps, reply }) {
    const report = await reportsOf(deps).freeze(id, stage, principal.user.id);
    reply.code(201);
    return report;
  },
});

const versions = defineRoute('incidents', {
  method: 'GET',
  url: '/incidents/:id/reports',
  summary: "An incident's frozen report versions, oldest first",
  access: 'read',
  params: caseParams,
  response: { schema: z.object({ items: z.array(reportSummarySchema) }) },
  async handler({ params: { id }, deps }) {
    return { items: (await reportsOf(deps).list(id)).map(summaryOf) };
  },
});

const FORMATS = ['json', 'md', 'pdf', 'stix'] as const;

const exportReport = defineRoute('incidents', {
  method: 'GET',
  url: '/incident-reports/:id',
  summary:
    'A frozen report version: JSON (docs/schemas/incident-report.schema.json), Markdown, PDF, or its indicators as a STIX 2.1 bundle',
  access: 'read',
  params: reportParams,
  query: z.strictObject({ format: z.enum(FORMATS).default('json') }),
  response: {
    contentType: 'application/json',
    description:
      'format=json: the IncidentReport; md: text/markdown; pdf: application/pdf; stix: application/stix+json',
  },
  async handler({ params: { id }, query, deps, reply }) {
    const reports = reportsOf(deps);
    const report = await reports.get(id);
    const attach = (extension: Parameters<typeof reportFileName>[1]) =>
      reply.header('content-disposition', `attachment; filename="${reportFileName(report, extension)}"`);
    switch (query.format) {
      case 'json':
        return report;
      case 'md':
        attach('md');
        return reply.type('text/markdown; charset=utf-8').send(reports.markdown(report));
      case 'pdf':
        attach('pdf');
        return reply.type('application/pdf').send(Buffer.from(await reports.pdf(report)));
      case 'stix':
        if (report.stix === null) {
          throw new EnsuresecError('not_found', {
            detail: `Report ${id} has no indicators of compromise (record evidence with indicators, then freeze a new version).`,
          });
        }
        attach('stix.json');
        return reply.type('application/stix+json;version=2.1').send(JSON.stringify(report.stix));
    }
  },
});

const submit = defineRoute('incidents', {
  method: 'POST',
  url: '/incident-reports/:id/submissions',
  summary:
    'Record the submission of a frozen report (once per channel): download, or email to the CSIRT with PDF, JSON and STIX attached',
  access: 'write:security',
  params: reportParams,
  body: z.strictObject({
    channel: z.enum(['download', 'email']),
    submittedAt: z.iso.datetime({ offset: true }).optional(),
    memberState: memberState.optional(),
  }),
  response: {
    status: 201,
    schema: z.object({ entry: incidentEntrySchema, reportId: z.string(), sentTo: z.string().optional() }),
  },
  async handler({ params: { id }, body, principal, deps, reply }) {
    const result = await reportsOf(deps).submit(id, body, principal.user.id);
    reply.code(201);
    return {
      entry: result.entry,
      reportId: result.report.id,
      ...(result.sentTo === undefined ? {} : { sentTo: result.sentTo }),
    };
  },
});

const communication = defineRoute('incidents', {
  method: 'GET',
  url: '/incidents/:id/customer-communication',
  summary:
    'Draft the communication to customers (NIS2 Art. 23(1)-(2), GDPR Art. 34) from the case: whether it is called for, and the message',
  access: 'read',
  params: caseParams,
  query: z.strictObject({ language: z.string().max(35).optional() }),
  response: {
    schema: z.looseObject({
      recommended: z.boolean(),
      duties: z.array(z.looseObject({ id: z.string(), verdict: z.string() })),
      email: z.object({ subject: z.string(), text: z.string(), html: z.string() }),
    }),
  },
  async handler({ params: { id }, query, deps }) {
    if (deps.entity === undefined) throw new EnsuresecError('entity_profile_missing');
    const view = await new IncidentCases({ ...deps, profile: deps.entity }).view(id);
    return draftCustomerCommunication(view, deps.entity, { language: query.language });
  },
});

const deadlines = defineRoute('incidents', {
  method: 'GET',
  url: '/incidents/deadlines',
  summary: 'Report deadlines of open incidents that are due soon or overdue, across cases',
  access: 'read',
  response: {
    schema: z.object({
      items: z.array(
        z.object({
          incidentId: z.string(),
          title: z.string(),
          stage: z.string(),
          state: z.enum(['due_soon', 'overdue']),
          dueAt: z.string(),
          dueLocal: z.string().nullable(),
        }),
      ),
    }),
  },
  async handler({ deps }) {
    if (deps.entity === undefined) throw new EnsuresecError('entity_profile_missing');
    const items = await dueReminders(
      { store: deps.store, clock: deps.clock, profile: deps.entity },
      new Set(),
    );
    return { items: items.sort((a, b) => a.dueAt.localeCompare(b.dueAt)) };
  },
});

export const incidentReportRoutes = [
  deadlines,
  override,
  freeze,
  versions,
  exportReport,
  submit,
  communication,
];
