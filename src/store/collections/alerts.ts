/** Alerts raised by detectors (store layer); analysts move them through open → acknowledged → closed. */
import type { Alert } from '../../core/records/index.js';
import { epochMsOf, fromJsonText, toJsonText } from '../columns.js';
import { pageParams, toPage } from '../pagination.js';
import { changedAny, runWrite, swapRecord, type StoreContext } from '../record-table.js';
import type { AlertQuery, Store } from '../store.js';

export function alertsCollection(ctx: StoreContext): Store['alerts'] {
  const { db } = ctx;
  const readRow = (id: string) =>
    db.selectFrom('alerts').select('record').where('id', '=', id).executeTakeFirst();
  return {
    async insert(alert) {
      await runWrite(ctx, { unique: `Alert ${alert.id} already exists.` }, () =>
        db
          .insertInto('alerts')
          .values({
            id: alert.id,
            time_ms: epochMsOf(alert.time, 'alert.time'),
            status: alert.status,
            severity: alert.severity,
            record: toJsonText(alert, 'The alert'),
            rule_id: alert.ruleId,
            detector: alert.detector,
          })
          .execute(),
      );
    },

    async get(id) {
      const row = await readRow(id);
      return row === undefined ? undefined : fromJsonText<Alert>(row.record);
    },

    async list(query: AlertQuery) {
      const { limit, beforeId } = pageParams(query);
      let select = db
        .selectFrom('alerts')
        .select(['id', 'record'])
        .orderBy('id', 'desc')
        .limit(limit + 1);
      if (beforeId !== undefined) select = select.where('id', '<', beforeId);
      if (query.status !== undefined) select = select.where('status', '=', query.status);
      if (query.severity !== undefined) select = select.where('severity', '=', query.severity);
      if (query.since !== undefined) select = select.where('time_ms', '>=', epochMsOf(query.since, 'since'));
      if (query.ruleId !== undefined) select = select.where('rule_id', '=', query.ruleId);
      if (query.detector !== undefined) select = select.where('detector', '=', query.detector);
      return toPage(await select.execute(), limit, (row) => fromJsonText<Alert>(row.record));
    },

    async setStatus(id, status) {
      return swapRecord<Alert>(
        () => readRow(id),
        async (previousText, next) =>
          changedAny(
            await db
              .updateTable('alerts')
              .set({ status: next.status, record: toJsonText(next, 'The alert') })
              .where('id', '=', id)
              .where('record', '=', previousText)
              .executeTakeFirst(),
          ),
        (current) => ({ ...current, status }),
      );
    },

    async countByStatusAndSeverity() {
      const rows = await db
        .selectFrom('alerts')
        .select(['status', 'severity', (eb) => eb.fn.countAll<number | string>().as('n')])
        .groupBy(['status', 'severity'])
        .execute();
      return rows.map((row) => ({
        status: row.status as Alert['status'],
        severity: row.severity as Alert['severity'],
        count: Number(row.n),
      }));
    },

    async updateGroup(id, update) {
      return swapRecord<Alert>(
        () => readRow(id),
        async (previousText, next) =>
          changedAny(
            await db
              .updateTable('alerts')
              .set({ severity: next.severity, record: toJsonText(next, 'The alert') })
              .where('id', '=', id)
              .where('record', '=', previousText)
              .executeTakeFirst(),
          ),
        (current) => ({ ...current, ...update }),
      );
    },
  };
}
