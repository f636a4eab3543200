/**
 * Playbook runs (store layer): whole runs as JSON, with the columns the runner queries:
 * the unique dedupe key (one run per playbook and alert), the entity key and creation time
 * (cooldowns) and the status (runs waiting for an approval). A status change is a conditional
 * UPDATE, so an approval and its timeout racing each other settle the run once.
 */
import { fromJsonText, epochMsOf, toJsonText } from '../columns.js';
import { pageParams, toPage } from '../pagination.js';
import { changedAny, type StoreContext } from '../record-table.js';
import type { PlaybookRun } from '../../core/records/index.js';
import type { PlaybookRunCollection } from '../store.js';

const runOf = (row: { record: string }): PlaybookRun => fromJsonText<PlaybookRun>(row.record);

export function playbookRunsCollection(ctx: StoreContext): PlaybookRunCollection {
  const { db } = ctx;
  return {
    async insert(run, dedupeKey) {
      const result = await db
        .insertInto('playbook_runs')
        .values({
          id: run.id,
          playbook: run.playbook,
          alert_id: run.alertId,
          dedupe_key: dedupeKey,
          entity_key: run.entityKey,
          status: run.status,
          created_ms: epochMsOf(run.createdAt, 'createdAt'),
          record: toJsonText(run, `The playbook run ${run.id}`),
        })
        .onConflict((conflict) => conflict.column('dedupe_key').doNothing())
        .executeTakeFirst();
      return Number(result.numInsertedOrUpdatedRows ?? 0n) > 0;
    },

    async update(run, expectedStatus) {
      let update = db
        .updateTable('playbook_runs')
        .set({ status: run.status, record: toJsonText(run, `The playbook run ${run.id}`) })
        .where('id', '=', run.id);
      if (expectedStatus !== undefined) update = update.where('status', '=', expectedStatus);
      return changedAny(await update.executeTakeFirst());
    },

    async get(id) {
      const row = await db
        .selectFrom('playbook_runs')
        .select('record')
        .where('id', '=', id)
        .executeTakeFirst();
      return row === undefined ? undefined : runOf(row);
    },

    async list(query) {
      const { limit, beforeId } = pageParams(query);
      let select = db
        .selectFrom('playbook_runs')
        .select(['id', 'record'])
        .orderBy('id', 'desc')
        .limit(limit + 1);
      if (beforeId !== undefined) select = select.where('id', '<', beforeId);
      if (query.playbook !== undefined) select = select.where('playbook', '=', query.playbook);
      if (query.status !== undefined) select = select.where('status', '=', query.status);
      if (query.alertId !== undefined) select = select.where('alert_id', '=', query.alertId);
      return toPage(await select.execute(), limit, runOf);
    },

    async latestForEntity(playbook, entityKey, sinceMs) {
      const row = await db
        .selectFrom('playbook_runs')
        .select('record')
        .where('playbook', '=', playbook)
        .where('entity_key', '=', entityKey)
        .where('created_ms', '>=', sinceMs)
        .where('dedupe_key', 'is not', null)
        .orderBy('id', 'desc')
        .limit(1)
        .executeTakeFirst();
      return row === undefined ? undefined : runOf(row);
    },

    async listWaiting(limit) {
      const rows = await db
        .selectFrom('playbook_runs')
        .select('record')
        .where('status', '=', 'waiting')
        .orderBy('id')
        .limit(limit)
        .execute();
      return rows.map(runOf);
    },
  };
}
