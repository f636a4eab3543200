/** Alert: what a detector concluded from one or more events. */
import { z } from 'zod';
import { personal } from '../personal-data.js';
import { idOf, isoTimestamp, labels, severity } from './common.js';

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
});

export type Alert = z.infer<typeof alertSchema>;
export type AlertInput = z.input<typeof alertSchema>;
