/**
 * 006: alert groups (store layer). Alerts raised by the detection pipeline are grouped per
 * rule and entity and listed by rule or detector, so both become columns with indexes beside
 * the JSON record. Alerts written before keep working: the columns are filled from their
 * records here (a few rows at a time, the same way on every dialect).
 */
import type { Kysely } from 'kysely';
import type { Migration } from './migration.js';

interface AlertRow {
  id: string;
  record: string;
  rule_id: string | null;
  detector: string | null;
}

const BACKFILL_BATCH = 500;

export const alertGroupsMigration: Migration = {
  name: '006-alert-groups',
  async up(untyped) {
    const db = untyped as Kysely<{ alerts: AlertRow }>;
    await db.schema.alterTable('alerts').addColumn('rule_id', 'text').execute();
    await db.schema.alterTable('alerts').addColumn('detector', 'text').execute();
    let after = '';
    for (;;) {
      const rows = await db
        .selectFrom('alerts')
        .select(['id', 'record'])
        .where('id', '>', after)
        .orderBy('id')
        .limit(BACKFILL_BATCH)
        .execute();
      for (const row of rows) {
        const record = JSON.parse(row.record) as { ruleId?: unknown; detector?: unknown };
        await db
          .updateTable('alerts')
          .set({
            rule_id: typeof record.ruleId === 'string' ? record.ruleId : null,
            detector: typeof record.detector === 'string' ? record.detector : null,
          })
          .where('id', '=', row.id)
          .execute();
      }
      if (rows.length < BACKFILL_BATCH) break;
      after = rows[rows.length - 1]!.id;
    }
    await db.schema.createIndex('alerts_rule_id_id').on('alerts').columns(['rule_id', 'id']).execute();
    await db.schema.createIndex('alerts_detector_id').on('alerts').columns(['detector', 'id']).execute();
  },
};
