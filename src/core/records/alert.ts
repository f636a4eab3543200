/** Alert: what a detector concluded from one or more events. */
import { z } from 'zod';
import { personal, type PersonalDataKind } from '../personal-data.js';
import { idOf, isoTimestamp, labels, severity } from './common.js';

/** An entity's value is personal data when it names a person's address, account, session or card. */
export function entityValueKind(holder: Record<string, unknown>): PersonalDataKind | null {
  switch (holder['type']) {
    case 'ip':
      return 'client_address';
    case 'account':
      return 'account_id';
    case 'session':
      return 'session_id';
    case 'card':
      return 'card_fingerprint';
    case 'address':
      return 'postal_address';
    default:
      return null;
  }
}

export const alertSchema = z.object({
  id: idOf('alr'),
  time: isoTimestamp,
  ruleId: z.string().max(256),
  title: z.string().min(1).max(512),
  description: z.string().max(8192).default(''),
  severity,
  /** The detector, rule engine or source that raised it. */
  detector: z.string().max(128),
  status: z.enum(['open', 'acknowledged', 'closed']).default('open'),
  eventIds: z.array(idOf('evt')).max(1000).default([]),
  subject: z
    .object({
      ip: personal('client_address', z.string().max(64)).optional(),
      accountId: personal('account_id', z.string().max(256)).optional(),
    })
    .default({}),
  tags: z.array(z.string().max(128)).max(64).default([]),
  labels,
  /** What the alert is about (what a playbook bans, challenges or locks); absent on older alerts. */
  entity: z
    .object({
      type: z.enum(['ip', 'account', 'session', 'order', 'card', 'address', 'ja4', 'device', 'route']),
      value: personal(entityValueKind, z.string().max(1024)),
    })
    .optional(),
  /** MITRE ATT&CK technique ids, e.g. `T1110.004`. */
  attack: z
    .array(z.string().regex(/^T\d{4}(\.\d{3})?$/))
    .max(32)
    .optional(),
  /** Grouping: detections folded into this alert, and the event time of the first and the last. */
  count: z.number().int().min(1).optional(),
  firstSeen: isoTimestamp.optional(),
  lastSeen: isoTimestamp.optional(),
  /** Figures that explain it (counts, rates, scores), from the latest detection of the group. */
  evidence: z
    .record(z.string().max(128), z.union([z.number(), z.string().max(1024), z.boolean()]))
    .optional(),
});

export type Alert = z.infer<typeof alertSchema>;
export type AlertInput = z.input<typeof alertSchema>;
