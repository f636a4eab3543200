/**
 * Incident timelines (store layer, since 009): append-only entries, whole records as JSON with
 * the columns queries need. There is deliberately no update or delete: a correction is a new
 * entry, so what was recorded when stays on record.
 */
import type { IncidentEntry } from '../../core/records/index.js';
import { epochMsOf, fromJsonText, toJsonText } from '../columns.js';
import { runWrite, type StoreContext } from '../record-table.js';
import type { Store } from '../store.js';

const MAX_CROSS_INCIDENT_ENTRIES = 10_000;

export function incidentEntriesCollection(ctx: StoreContext): Store['incidentEntries'] {
  const { db } = ctx;
  return {
    async append(entry) {
      await runWrite(ctx, { unique: `Incident entry ${entry.id} already exists.` }, () =>
        db
          .insertInto('incident_entries')
          .values({
            id: entry.id,
            incident_id: entry.incidentId,
            kind: entry.kind,
            time_ms: epochMsOf(entry.at, 'at'),
            record: toJsonText(entry, 'The incident entry'),
          })
          .execute(),
      );
    },

    async listFor(incidentId) {
      const rows = await db
        .selectFrom('incident_entries')
        .select('record')
        .where('incident_id', '=', incidentId)
        .orderBy('id', 'asc')
        .execute();
      return rows.map((row) => fromJsonText<IncidentEntry>(row.record));
    },

    async listByKinds(kinds, sinceIso) {
      if (kinds.length === 0) return [];
      const rows = await db
        .selectFrom('incident_entries')
        .select('record')
        .where('kind', 'in', [...kinds])
        .where('time_ms', '>=', epochMsOf(sinceIso, 'since'))
        .orderBy('id', 'asc')
        .limit(MAX_CROSS_INCIDENT_ENTRIES)
        .execute();
      return rows.map((row) => fromJsonText<IncidentEntry>(row.record));
    },
  };
}
