/**
 * Export route (api/v1): every record of a kind as NDJSON, streamed page by page, with
 * personal fields pseudonymised first and, for `format=ocsf`, mapped to OCSF classes.
 * Records leave the trust boundary here, so this is the route partners get.
 */
import { Readable } from 'node:stream';
import { z } from 'zod';
import { EnsuresecError } from '../../../core/errors.js';
import { alertToOcsf, eventToOcsf, findingToOcsf, incidentToOcsf } from '../../../core/ocsf.js';
import { pseudonymiseRecord } from '../../../core/pseudonymise.js';
import {
  alertSchema,
  decisionSchema,
  findingSchema,
  incidentSchema,
  securityEventSchema,
} from '../../../core/records/index.js';
import type { Page, PageRequest, Store } from '../../../store/store.js';
import { defineRoute } from '../../route.js';

const EXPORT_PAGE_SIZE = 500;

interface ExportSource {
  schema: z.ZodType;
  list(store: Store, page: PageRequest): Promise<Page<unknown>>;
  /** Absent: the kind has no OCSF class and exports natively only. */
  toOcsf?: (record: never) => unknown;
}

export const EXPORT_SOURCES = {
  events: { schema: securityEventSchema, list: (s, p) => s.events.list(p), toOcsf: eventToOcsf },
  alerts: { schema: alertSchema, list: (s, p) => s.alerts.list(p), toOcsf: alertToOcsf },
  incidents: { schema: incidentSchema, list: (s, p) => s.incidents.list(p), toOcsf: incidentToOcsf },
  findings: { schema: findingSchema, list: (s, p) => s.findings.list(p), toOcsf: findingToOcsf },
  decisions: { schema: decisionSchema, list: (s, p) => s.decisions.list(p) },
} satisfies Record<string, ExportSource>;

export type ExportKind = keyof typeof EXPORT_SOURCES;
const EXPORT_KINDS = Object.keys(EXPORT_SOURCES) as [ExportKind, ...ExportKind[]];

async function* exportLines(source: ExportSource, store: Store, format: 'ocsf' | 'native', key: Buffer) {
  let cursor: string | undefined;
  do {
    const page = await source.list(store, { limit: EXPORT_PAGE_SIZE, ...(cursor ? { cursor } : {}) });
    for (const record of page.items) {
      const safe = pseudonymiseRecord(source.schema, record, key, { scrubText: true });
      yield JSON.stringify(format === 'ocsf' && source.toOcsf ? source.toOcsf(safe as never) : safe) + '\n';
    }
    cursor = page.nextCursor ?? undefined;
  } while (cursor);
}

const exportKind = defineRoute('export', {
  method: 'GET',
  url: '/export/:kind',
  summary: 'Export every record of a kind as NDJSON, pseudonymised; format=ocsf maps to OCSF 1.3',
  access: 'read:partner',
  params: z.strictObject({ kind: z.enum(EXPORT_KINDS) }),
  query: z.strictObject({ format: z.enum(['ocsf', 'native']).default('native') }),
  response: { contentType: 'application/x-ndjson', description: 'One JSON record per line' },
  async handler({ params, query, reply, request, deps }) {
    const source: ExportSource = EXPORT_SOURCES[params.kind];
    if (query.format === 'ocsf' && !source.toOcsf) {
      throw new EnsuresecError('validation_failed', {
        detail: `${params.kind} have no OCSF class; use format=native.`,
      });
    }
    const stream = Readable.from(exportLines(source, deps.store, query.format, deps.pseudonymisationKey));
    // Headers are gone once streaming starts, so a failure can only end the response early.
    stream.on('error', (error) =>
      request.log.error({ err: error, kind: params.kind }, 'export failed mid-stream'),
    );
    return reply
      .type('application/x-ndjson; charset=utf-8')
      .header('content-disposition', `attachment; filename="ensuresec-${params.kind}.${query.format}.ndjson"`)
      .send(stream);
  },
});

export const exportRoutes = [exportKind];
