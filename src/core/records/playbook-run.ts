/**
 * PlaybookRun: one playbook run for one alert (response stage), recorded step by step with
 * each step's outcome. A dry run is recorded the same way, with every step `planned`.
 */
import { z } from 'zod';
import { isoTimestamp } from './common.js';

/** `completed`: every step ran (some may have failed with `onError: continue`); `failed`: a step failed and stopped it. */
export const PLAYBOOK_RUN_STATUSES = ['running', 'waiting', 'completed', 'failed', 'rejected'] as const;
export type PlaybookRunStatus = (typeof PLAYBOOK_RUN_STATUSES)[number];

export const PLAYBOOK_STEP_STATUSES = [
  'succeeded',
  'failed',
  'skipped',
  'planned',
  'waiting',
  'approved',
  'rejected',
] as const;
export type PlaybookStepStatus = (typeof PLAYBOOK_STEP_STATUSES)[number];

/** What a step left behind: ids of what it made and short facts, never a customer's address. */
const stepOutput = z.record(z.string().max(64), z.union([z.string().max(2048), z.number(), z.boolean()]));

export const playbookStepRecordSchema = z.object({
  index: z.number().int().min(0),
  name: z.string().max(128),
  type: z.string().max(64),
  status: z.enum(PLAYBOOK_STEP_STATUSES),
  startedAt: isoTimestamp,
  finishedAt: isoTimestamp.nullable(),
  /** What the step did, or would do in a dry run, in one sentence. */
  detail: z.string().max(2048),
  output: stepOutput.default({}),
  error: z.object({ code: z.string().max(64), message: z.string().max(2048) }).optional(),
});
export type PlaybookStepRecord = z.infer<typeof playbookStepRecordSchema>;

export const playbookApprovalSchema = z.object({
  stepIndex: z.number().int().min(0),
  requestedAt: isoTimestamp,
  deadline: isoTimestamp,
  default: z.enum(['approve', 'reject']),
  message: z.string().max(2048),
  /** Set once decided: by a person, or `system` when the timeout applied the default. */
  decision: z.enum(['approve', 'reject']).optional(),
  decidedBy: z.string().max(256).optional(),
  decidedAt: isoTimestamp.optional(),
  reason: z.string().max(1024).optional(),
});
export type PlaybookApproval = z.infer<typeof playbookApprovalSchema>;

export const playbookRunSchema = z.object({
  id: z.string().regex(/^pbr_[0-9A-HJKMNP-TV-Z]{26}$/, 'must be a pbr_ id'),
  playbook: z.string().max(128),
  alertId: z.string().max(64),
  ruleId: z.string().max(256),
  /** `type:value` of the alert's entity (the cooldown's key), or null when the alert names none. */
  entityKey: z.string().max(1100).nullable(),
  dryRun: z.boolean(),
  status: z.enum(PLAYBOOK_RUN_STATUSES),
  createdAt: isoTimestamp,
  updatedAt: isoTimestamp,
  finishedAt: isoTimestamp.nullable(),
  steps: z.array(playbookStepRecordSchema).max(100),
  /** The approval the run waits for, or waited for last. */
  approval: playbookApprovalSchema.nullable(),
  /** Why the run failed or was rejected, in one sentence. */
  reason: z.string().max(2048).optional(),
});
export type PlaybookRun = z.infer<typeof playbookRunSchema>;
