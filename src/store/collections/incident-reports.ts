/**
 * Frozen incident reports (store layer, since 012): each version is inserted once and never
 * changed; the whole IncidentReport is the row's `record`. A second insert of the same
 * incident, stage and version is a `conflict` (someone froze that version first).
 */
import type { IncidentReport } from '../../core/records/incident-report.js';
import { epochMsOf, fromJsonText, toJsonText } from '../columns.js';
import { runWrite, type StoreContext } from '../record-table.js';
import type { Store } from '../store.js';

export function incidentReportsCollection(ctx: StoreContext): Store['incidentReports'] {
  const { db } = ctx;
  return {
    async insert(report) {
      await runWrite(
        ctx,
        { unique: `Version ${report.version} of the ${report.stage} report was frozen by someone else.` },
        () =>
          db
            .insertInto('incident_reports')
            .values({
              id: report.id,
              incident_id: report.incidentId,
              stage: report.stage,
              version: report.version,
              frozen_ms: epochMsOf(report.frozenAt, 'frozenAt'),
              record: toJsonText(report, 'The incident report'),
            })
            .execute(),
      );
    },

    async get(id) {
      const row = await db
        .selectFrom('incident_reports')
        .select('record')
        .where('id', '=', id)
        .executeTakeFirst();
      return row === undefined ? undefined : fromJsonText<IncidentReport>(row.record);
    },

    async listFor(incidentId) {
      const rows = await db
        .selectFrom('incident_reports')
        .select('record')
        .where('incident_id', '=', incidentId)
        .orderBy('id', 'asc')
        .execute();
      return rows.map((row) => fromJsonText<IncidentReport>(row.record));
    },

    async latestVersion(incidentId, stage) {
      const row = await db
        .selectFrom('incident_reports')
        .select((eb) => eb.fn.max('version').as('version'))
        .where('incident_id', '=', incidentId)
        .where('stage', '=', stage)
        .executeTakeFirst();
      return row?.version === null || row?.version === undefined ? 0 : Number(row.version);
    },
  };
}
