/**
 * 011: the decision feed (store layer). Adds `decision_changes`, one row per decision created
 * or deleted, numbered by `seq` in commit order, so gateways following the feed can ask for
 * "everything after change N". Decisions already in the store are numbered as created, oldest
 * first, so a follower's first cursor already covers them.
 */
import type { Kysely } from 'kysely';
import type { Migration } from './migration.js';

interface Tables {
  decisions: { id: string; created_ms: number | string };
  decision_changes: { seq: number; decision_id: string; kind: string; time_ms: number };
}

export const decisionFeedMigration: Migration = {
  name: '011-decision-feed',
  async up(untyped, adapter) {
    await untyped.schema
      .createTable('decision_changes')
      .addColumn('seq', adapter.integerKeyType, (col) => col.primaryKey())
      .addColumn('decision_id', adapter.sortableTextType, (col) => col.notNull())
      .addColumn('kind', 'text', (col) => col.notNull())
      .addColumn('time_ms', 'bigint', (col) => col.notNull())
      .execute();
    const db = untyped as Kysely<Tables>;
    const existing = await db.selectFrom('decisions').select(['id', 'created_ms']).orderBy('id').execute();
    let seq = 0;
    for (const row of existing) {
      await db
        .insertInto('decision_changes')
        .values({ seq: ++seq, decision_id: row.id, kind: 'created', time_ms: Number(row.created_ms) })
        .execute();
    }
  },
};
