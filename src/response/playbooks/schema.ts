/**
 * The playbook file format (response / playbooks, no I/O): a trigger and ordered steps, in
 * YAML, checked with zod. Conditions and `{{ variables }}` are parsed here too, so a typo is
 * refused at load with its line, not found when an attack is on. docs/playbooks.md is the
 * user-facing description of every key.
 */
import { z } from 'zod';
import { formatDurationMs, parseDurationMs } from '../../core/duration.js';
import { DECISION_SCOPES, severity } from '../../core/records/index.js';
import { MODE_NAME_PATTERN } from '../../gateway/modes/definitions.js';
import { CUSTOMER_NOTICE_KINDS } from '../notices/templates/customer/index.js';
import { parseExpression } from './expression.js';
import { parseTemplate } from './template.js';

/** What a condition or a `{{ }}` may read: the alert, the playbook, the run, the incident a step opened. */
export const VARIABLE_ROOTS = ['alert', 'playbook', 'run', 'incident'] as const;

export const PLAYBOOK_NAME_PATTERN = /^[a-z0-9][a-z0-9-]{0,63}$/;
export const ENTITY_TYPES = [
  'ip',
  'account',
  'session',
  'order',
  'card',
  'address',
  'ja4',
  'device',
  'route',
] as const;

const condition = z
  .string()
  .min(1)
  .max(1024)
  .superRefine((text, ctx) => {
    const parsed = parseExpression(text, VARIABLE_ROOTS);
    if (!parsed.ok) ctx.addIssue({ code: 'custom', message: parsed.error });
  });

const templated = (max: number) =>
  z
    .string()
    .min(1)
    .max(max)
    .superRefine((text, ctx) => {
      const parsed = parseTemplate(text, VARIABLE_ROOTS);
      if (!parsed.ok) ctx.addIssue({ code: 'custom', message: parsed.error });
    });

/** A duration as written (`30m`, `1h`), kept as text so the playbook reads back as written. */
const duration = (maxMs: number) =>
  z
    .string()
    .max(16)
    .superRefine((text, ctx) => {
      const ms = parseDurationMs(text);
      if (ms === undefined)
        ctx.addIssue({ code: 'custom', message: `"${text}" is not a duration such as 30s, 15m or 1h` });
      else if (ms <= 0 || ms > maxMs)
        ctx.addIssue({ code: 'custom', message: `must be between 1s and ${formatDurationMs(maxMs)}` });
    });

const DAY_MS = 86_400_000;
const oneOrMany = <T extends z.ZodType>(item: T) => z.union([item, z.array(item).min(1).max(50)]);

const stepBase = {
  /** Unique within the playbook; default `<position>-<type>`. */
  name: z
    .string()
    .regex(/^[a-z0-9][a-z0-9-]{0,63}$/, 'lower-case letters, digits and dashes')
    .optional(),
  if: condition.optional(),
  onError: z.enum(['continue', 'stop']).default('stop'),
};

export const decideStepSchema = z
  .strictObject({
    ...stepBase,
    type: z.literal('decide'),
    action: z.enum(['ban', 'throttle', 'challenge']),
    scope: z.enum(DECISION_SCOPES),
    value: templated(256).default('{{ alert.entity.value }}'),
    duration: duration(30 * DAY_MS),
    ratePerMinute: z.number().int().min(1).max(1_000_000).optional(),
    reason: templated(1024).optional(),
  })
  .refine((step) => step.action !== 'throttle' || step.ratePerMinute !== undefined, {
    message: 'a throttle needs ratePerMinute',
    path: ['ratePerMinute'],
  });

export const modeStepSchema = z.strictObject({
  ...stepBase,
  type: z.literal('mode'),
  mode: z.string().regex(MODE_NAME_PATTERN, 'a mode name such as login-shield'),
  ttl: duration(30 * DAY_MS),
  reason: templated(1024).optional(),
  /** Ends the mode earlier once the alert's rule has been quiet this long. */
  recoverWhenQuiet: duration(DAY_MS).optional(),
});

export const callShopStepSchema = z.strictObject({
  ...stepBase,
  type: z.literal('call-shop'),
  /** What the shop is asked to do, e.g. lock-account, cancel-order, force-password-reset. */
  action: z.string().regex(/^[a-z][a-z0-9-]{0,63}$/, 'lower-case words with dashes, e.g. lock-account'),
  data: z.record(z.string().regex(/^[A-Za-z][A-Za-z0-9_]{0,63}$/), templated(2048)).default({}),
});

/** What `call-carrier` asks the carrier (delivery chain, docs/delivery.md). */
export const CARRIER_ACTIONS = [
  'hold-parcel',
  'release-parcel',
  'block-compartment',
  'request-proof-of-delivery',
] as const;

export const callCarrierStepSchema = z.strictObject({
  ...stepBase,
  type: z.literal('call-carrier'),
  action: z.enum(CARRIER_ACTIONS),
  /** The partner (role `carrier`) to call; default: the alert's carrier if configured, else the only carrier. */
  carrier: z.string().min(1).max(64).optional(),
  data: z.record(z.string().regex(/^[A-Za-z][A-Za-z0-9_]{0,63}$/), templated(2048)).default({}),
});

export const incidentStepSchema = z.strictObject({
  ...stepBase,
  type: z.literal('incident'),
  /** `open-or-update` adds the alert to this playbook's open incident of the last `within`, if any. */
  action: z.enum(['open', 'open-or-update']).default('open-or-update'),
  title: templated(512),
  summary: templated(8192).optional(),
  severity: severity.optional(),
  within: duration(30 * DAY_MS).default('24h'),
});

export const notifyCustomersStepSchema = z.strictObject({
  ...stepBase,
  type: z.literal('notify-customers'),
  kind: z.enum(CUSTOMER_NOTICE_KINDS).default('credential_attack'),
  /** Whose: the accounts the alert's login events touched (all, or only those that logged in). */
  accounts: z.enum(['all', 'succeeded']).default('all'),
});

const partnersField = z.union([z.literal('all'), z.array(z.string().min(1).max(64)).min(1).max(100)]);

export const notifyPartnersStepSchema = z.strictObject({
  ...stepBase,
  type: z.literal('notify-partners'),
  partners: partnersField.default('all'),
  title: templated(200).default('{{ alert.title }}'),
  summary: templated(4000).default('{{ alert.description }}'),
  recommendedActions: z.array(templated(1000)).max(20).default([]),
});

export const shareIndicatorsStepSchema = z.strictObject({
  ...stepBase,
  type: z.literal('share-indicators'),
  partners: partnersField.default('all'),
  title: templated(200).default('Indicators: {{ alert.title }}'),
  recommendedActions: z
    .array(templated(1000))
    .max(20)
    .default(['Block or challenge these addresses at your own edge.']),
});

export const approvalStepSchema = z.strictObject({
  ...stepBase,
  type: z.literal('approval'),
  timeout: duration(7 * DAY_MS),
  /** What happens when nobody decides in time. */
  default: z.enum(['approve', 'reject']).default('reject'),
  message: templated(2048).default('Approve playbook {{ playbook.name }} for alert {{ alert.id }}?'),
});

export const stepSchema = z.discriminatedUnion('type', [
  approvalStepSchema,
  callCarrierStepSchema,
  callShopStepSchema,
  decideStepSchema,
  incidentStepSchema,
  modeStepSchema,
  notifyCustomersStepSchema,
  notifyPartnersStepSchema,
  shareIndicatorsStepSchema,
]);
export type PlaybookStep = z.output<typeof stepSchema>;
export type PlaybookStepType = PlaybookStep['type'];
export type StepOf<T extends PlaybookStepType> = Extract<PlaybookStep, { type: T }>;

export const triggerSchema = z
  .strictObject({
    /** Alert rule ids; `*` matches any run of characters, `?` one. */
    ruleId: oneOrMany(z.string().min(1).max(256)).optional(),
    detector: oneOrMany(z.string().min(1).max(128)).optional(),
    minSeverity: severity.default('info'),
    /** Every one of these tags must be on the alert. */
    tags: z.array(z.string().min(1).max(128)).max(20).default([]),
    entityType: oneOrMany(z.enum(ENTITY_TYPES)).optional(),
    condition: condition.optional(),
  })
  .refine((trigger) => trigger.ruleId !== undefined || trigger.detector !== undefined, {
    message: 'a trigger names a ruleId or a detector (or both)',
  });

export const playbookSchema = z
  .strictObject({
    name: z.string().regex(PLAYBOOK_NAME_PATTERN, 'lower-case letters, digits and dashes, at most 64'),
    description: z.string().max(2000).default(''),
    enabled: z.boolean().default(true),
    /** Record what the steps would do; change nothing. */
    dryRun: z.boolean().default(false),
    /** After a run for an entity, alerts about the same entity start no run for this long; `0s`: never wait. */
    cooldown: z
      .string()
      .max(16)
      .default('10m')
      .refine((text) => parseDurationMs(text) !== undefined, 'a duration such as 10m, or 0s'),
    trigger: triggerSchema,
    steps: z.array(stepSchema).min(1).max(50),
  })
  .superRefine((playbook, ctx) => {
    const seen = new Set<string>();
    playbook.steps.forEach((step, index) => {
      const name = step.name ?? defaultStepName(index, step.type);
      if (seen.has(name))
        ctx.addIssue({
          code: 'custom',
          path: ['steps', index, 'name'],
          message: `step name "${name}" is used twice`,
        });
      seen.add(name);
    });
  });

export type Playbook = z.output<typeof playbookSchema>;
export type PlaybookInput = z.input<typeof playbookSchema>;

export function defaultStepName(index: number, type: string): string {
  return `${index + 1}-${type}`;
}
