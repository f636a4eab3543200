/**
 * Tuning entries (store layer): an analyst's "this alert is a false positive" as a suppression
 * of one rule for one entity (or every entity, `*`). The alert writer asks `matches` before it
 * raises a new alert; one rule and entity hold one entry at most.
 */
import { suppressionEntityKey, type AlertSuppression } from '../../core/records/index.js';
import { fromJsonText, toJsonText } from '../columns.js';
import { pageParams, toPage } from '../pagination.js';
import { changedAny, runWrite, type StoreContext } from '../record-table.js';
import type { Store } from '../store.js';

export function alertSuppressionsCollection(ctx: StoreContext): Store['alertSuppressions'] {
  const { db } = ctx;
  return {
    async insert(suppression) {
      const entityKey = suppressionEntityKey(suppression.entity);
      await runWrite(
        ctx,
        { unique: `Rule ${suppression.ruleId} is already suppressed for this entity.` },
        () =>
          db
            .insertInto('alert_suppressions')
            .values({
              id: suppression.id,
              rule_id: suppression.ruleId,
              entity_key: entityKey,
              record: toJsonText(suppression, 'The suppression'),
            })
            .execute(),
      );
    },

    async get(id) {
      const row = await db
        .selectFrom('alert_suppressions')
        .select('record')
        .where('id', '=', id)
        .executeTakeFirst();
      return row === undefined ? undefined : fromJsonText<AlertSuppression>(row.record);
    },

    async list(query) {
      const { limit, beforeId } = pageParams(query);
      let select = db
        .selectFrom('alert_suppressions')
        .select(['id', 'record'])
        .orderBy('id', 'desc')
        .limit(limit + 1);
      if (beforeId !== undefined) select = select.where('id', '<', beforeId);
      if (query.ruleId !== undefined) select = select.where('rule_id', '=', query.ruleId);
      return toPage(await select.execute(), limit, (row) => fromJsonText<AlertSuppression>(row.record));
    },

    async matches(ruleId, entityKey) {
      const row = await db
        .selectFrom('alert_suppressions')
        .select('record')
        .where('rule_id', '=', ruleId)
        .where('entity_key', 'in', entityKey === '*' ? ['*'] : [entityKey, '*'])
        .limit(1)
        .executeTakeFirst();
      return row === undefined ? undefined : fromJsonText<AlertSuppression>(row.record);
    },

    async delete(id) {
      return changedAny(await db.deleteFrom('alert_suppressions').where('id', '=', id).executeTakeFirst());
    },
  };
}
