/**
 * AlertSuppression: a tuning entry (detect stage). An analyst marked an alert a false positive;
 * from then on the alert writer raises no new alert of that rule about that entity (or about
 * any entity, `entity: null`). Removing the entry ends the suppression.
 */
import { z } from 'zod';
import { personal } from '../personal-data.js';
import { entityValueKind, type Alert } from './alert.js';
import { idOf, isoTimestamp } from './common.js';

export const alertSuppressionSchema = z.object({
  id: idOf('sup'),
  ruleId: z.string().max(256),
  /** The entity it applies to; null: every entity of the rule. */
  entity: z
    .object({
      type: z.string().max(32),
      value: personal(entityValueKind, z.string().max(1024)),
    })
    .nullable(),
  /** The alert that was marked a false positive. */
  alertId: idOf('alr'),
  reason: z.string().max(512),
  createdAt: isoTimestamp,
  /** The analyst's user id. */
  createdBy: z.string().max(64),
});

export type AlertSuppression = z.infer<typeof alertSuppressionSchema>;

/** The entity an alert is about, as a suppression names it; null when it names none. */
export function alertEntity(alert: Alert): { type: string; value: string } | null {
  if (alert.entity) return { type: alert.entity.type, value: alert.entity.value };
  if (alert.subject.ip) return { type: 'ip', value: alert.subject.ip };
  if (alert.subject.accountId) return { type: 'account', value: alert.subject.accountId };
  return null;
}

/** The stored key of an entity: `type:value`, or `*` for every entity. */
export function suppressionEntityKey(entity: { type: string; value: string } | null): string {
  return entity === null ? '*' : `${entity.type}:${entity.value}`;
}
