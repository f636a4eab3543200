/**
 * Scanner findings (store layer), listed per target and status; since 013 also found by
 * fingerprint (one row per weakness of a target across scans) and updated in place, and the
 * stored scans (`scan_runs`) that saw them.
 */
import type { Finding, ScanRun } from '../../core/records/index.js';
import { fromJsonText, toJsonText } from '../columns.js';
import { pageParams, toPage } from '../pagination.js';
import { runWrite, type StoreContext } from '../record-table.js';
import type { FindingQuery, ScanRunQuery, Store } from '../store.js';

export function findingsCollection(ctx: StoreContext): Store['findings'] {
  const { db } = ctx;
  return {
    async insert(finding) {
      await runWrite(
        ctx,
        { unique: `Finding ${finding.id} (or its fingerprint for ${finding.target}) already exists.` },
        () =>
          db
            .insertInto('findings')
            .values({
              id: finding.id,
              target: finding.target,
              status: finding.status,
              record: toJsonText(finding, 'The finding'),
              fingerprint: finding.fingerprint ?? null,
            })
            .execute(),
      );
    },

    async get(id) {
      const row = await db.selectFrom('findings').select('record').where('id', '=', id).executeTakeFirst();
      return row === undefined ? undefined : fromJsonText<Finding>(row.record);
    },

    async list(query: FindingQuery) {
      const { limit, beforeId } = pageParams(query);
      let select = db
        .selectFrom('findings')
        .select(['id', 'record'])
        .orderBy('id', 'desc')
        .limit(limit + 1);
      if (beforeId !== undefined) select = select.where('id', '<', beforeId);
      if (query.target !== undefined) select = select.where('target', '=', query.target);
      if (query.status !== undefined) select = select.where('status', '=', query.status);
      return toPage(await select.execute(), limit, (row) => fromJsonText<Finding>(row.record));
    },

    async getByFingerprint(target, fingerprint) {
      const row = await db
        .selectFrom('findings')
        .select('record')
        .where('target', '=', target)
        .where('fingerprint', '=', fingerprint)
        .executeTakeFirst();
      return row === undefined ? undefined : fromJsonText<Finding>(row.record);
    },

    async update(finding) {
      const result = await runWrite(ctx, { unique: `Finding ${finding.id} clashes with another.` }, () =>
        db
          .updateTable('findings')
          .set({
            target: finding.target,
            status: finding.status,
            record: toJsonText(finding, 'The finding'),
            fingerprint: finding.fingerprint ?? null,
          })
          .where('id', '=', finding.id)
          .executeTakeFirst(),
      );
      return Number(result.numUpdatedRows) > 0;
    },

    async listByStatus(target, status) {
      const rows = await db
        .selectFrom('findings')
        .select('record')
        .where('target', '=', target)
        .where('status', '=', status)
        .orderBy('id', 'asc')
        .execute();
      return rows.map((row) => fromJsonText<Finding>(row.record));
    },
  };
}

export function scanRunsCollection(ctx: StoreContext): Store['scanRuns'] {
  const { db } = ctx;
  return {
    async insert(run) {
      await runWrite(ctx, { unique: `Scan ${run.id} already exists.` }, () =>
        db
          .insertInto('scan_runs')
          .values({ id: run.id, target: run.target, record: toJsonText(run, 'The scan') })
          .execute(),
      );
    },

    async get(id) {
      const row = await db.selectFrom('scan_runs').select('record').where('id', '=', id).executeTakeFirst();
      return row === undefined ? undefined : fromJsonText<ScanRun>(row.record);
    },

    async list(query: ScanRunQuery) {
      const { limit, beforeId } = pageParams(query);
      let select = db
        .selectFrom('scan_runs')
        .select(['id', 'record'])
        .orderBy('id', 'desc')
        .limit(limit + 1);
      if (beforeId !== undefined) select = select.where('id', '<', beforeId);
      if (query.target !== undefined) select = select.where('target', '=', query.target);
      return toPage(await select.execute(), limit, (row) => fromJsonText<ScanRun>(row.record));
    },
  };
}
