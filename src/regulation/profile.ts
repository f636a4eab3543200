/**
 * The entity profile (regulation, no I/O): who the operator is in law. It selects the regime
 * that decides significance (Implementing Regulation (EU) 2024/2690 for the digital providers it
 * lists, national Art. 23(3) thresholds for other NIS2 entities, DORA for financial entities),
 * the denominators of the thresholds (turnover, EU users), the notification deadline (24 h for
 * trust service providers) and the time zone deadlines are shown in. Read from the `entity:`
 * section of ensuresec.yaml by the composition root only.
 *
 * @example entityProfileSchema.parse({ type: 'online_marketplace', memberStates: ['DE'], euUsers: 2_000_000 })
 */
import { z } from 'zod';

/** The entity types Regulation (EU) 2024/2690 covers (its Art. 1 list). */
export const CIR_ENTITY_TYPES = [
  'dns_service_provider',
  'tld_name_registry',
  'cloud_computing_provider',
  'data_centre_provider',
  'cdn_provider',
  'managed_service_provider',
  'managed_security_service_provider',
  'online_marketplace',
  'online_search_engine',
  'social_networking_platform',
  'trust_service_provider',
] as const;

/** NIS2 entities the Regulation does not cover: national thresholds apply to Art. 23(3). */
export const NATIONAL_ENTITY_TYPES = ['courier', 'transport', 'shop', 'other_nis2_entity'] as const;

/** Financial entities under DORA (lex specialis), which displaces NIS2 Arts. 21 and 23. */
export const DORA_ENTITY_TYPES = ['bank', 'payment_institution', 'e_money_institution'] as const;

export const ENTITY_TYPES = [...CIR_ENTITY_TYPES, ...NATIONAL_ENTITY_TYPES, ...DORA_ENTITY_TYPES] as const;
export type EntityType = (typeof ENTITY_TYPES)[number];

/** ISO 3166-1 alpha-2 code of an EU Member State (Greece is `EL` in EU usage; `GR` is accepted too). */
export const memberState = z
  .string()
  .regex(/^[A-Z]{2}$/, 'a two-letter Member State code such as DE, FR or EL');

const isoTime = z.iso.datetime({ offset: true });

function isTimeZone(name: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone: name });
    return true;
  } catch {
    return false;
  }
}

const contact = z.strictObject({
  memberState,
  /** The CSIRT or competent authority, e.g. `BSI` or `CCB`. */
  authority: z.string().min(1).max(200),
  email: z.email().optional(),
  phone: z.string().max(64).optional(),
  url: z.url().optional(),
});

const maintenanceWindow = z
  .strictObject({
    start: isoTime,
    end: isoTime,
    description: z.string().max(500).default(''),
  })
  .refine((window) => Date.parse(window.end) > Date.parse(window.start), {
    message: 'end must be after start',
    path: ['end'],
  });

/** NIS2 Art. 21(2) points (a) to (j). */
export const MEASURE_IDS = ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'i', 'j'] as const;
export type MeasureId = (typeof MEASURE_IDS)[number];
export const MEASURE_STATUSES = ['implemented', 'partial', 'missing', 'unknown'] as const;
export type MeasureStatus = (typeof MEASURE_STATUSES)[number];

const measureDeclaration = z.strictObject({
  status: z.enum(MEASURE_STATUSES),
  /** What shows it: a policy, a document, a tool (with a reference where one exists). */
  evidence: z.string().max(2000).optional(),
  owner: z.string().max(200).optional(),
  reviewedAt: isoTime.optional(),
  gaps: z.array(z.string().max(500)).max(50).default([]),
});

export const entityProfileSchema = z.strictObject({
  /** The legal name, as reports show it. */
  name: z.string().min(1).max(300).default('unnamed entity'),
  type: z.enum(ENTITY_TYPES),
  memberStates: z.array(memberState).min(1).max(30).default(['DE']),
  /** IANA name; deadlines are computed in UTC and shown in this zone. */
  timeZone: z.string().refine(isTimeZone, 'an IANA time zone such as Europe/Berlin').default('UTC'),
  /** A qualified or non-qualified trust service provider: the notification is due in 24 h, not 72 h. */
  trustServiceProvider: z.boolean().default(false),
  /** Total annual turnover of the preceding financial year, EUR (CIR Art. 3(1)(a)). */
  annualTurnoverEur: z.number().min(0).optional(),
  /** EU users of the service (the denominator of CIR Art. 11's 5 %). */
  euUsers: z.number().int().min(0).optional(),
  /** Controller or processor of the personal data in the shop (GDPR Art. 33(1) vs 33(2)). */
  gdprRole: z.enum(['controller', 'processor']).default('controller'),
  contacts: z.array(contact).max(30).default([]),
  /** The DPO or other contact point named in a GDPR notification (Art. 33(3)(b)). */
  dataProtectionContact: z
    .strictObject({
      name: z.string().min(1).max(200),
      email: z.email().optional(),
      phone: z.string().max(64).optional(),
    })
    .optional(),
  /** Scheduled maintenance: interruptions inside these windows are not incidents (CIR Art. 3(2)). */
  maintenance: z.array(maintenanceWindow).max(1000).default([]),
  /** The people who prepare and send the reports: reminders before each deadline go to them by email. */
  reportingTeam: z
    .array(z.strictObject({ name: z.string().max(200).optional(), email: z.email() }))
    .max(50)
    .default([]),
  /** Art. 20: when the management body last approved the Art. 21 measures. */
  managementApproval: z
    .strictObject({
      approvedBy: z.string().min(1).max(300),
      approvedAt: isoTime,
      policyVersion: z.string().max(100).optional(),
    })
    .optional(),
  /** Art. 21(2) (a)-(j): what the entity declares for the measures Ensuresec holds no evidence of. */
  measures: z.partialRecord(z.enum(MEASURE_IDS), measureDeclaration).default({}),
  /** For entity types the Regulation does not cover: the national Art. 23(3) thresholds, when set. */
  nationalThresholds: z
    .strictObject({
      financialLossEur: z.number().min(0).optional(),
      usersAffected: z.number().int().min(0).optional(),
      outageMinutes: z.number().min(0).optional(),
    })
    .optional(),
});

export type EntityProfile = z.output<typeof entityProfileSchema>;
export type EntityProfileInput = z.input<typeof entityProfileSchema>;

export type Regime = 'cir-2024-2690' | 'nis2-national' | 'dora';

export function regimeOf(type: EntityType): Regime {
  if ((CIR_ENTITY_TYPES as readonly string[]).includes(type)) return 'cir-2024-2690';
  if ((DORA_ENTITY_TYPES as readonly string[]).includes(type)) return 'dora';
  return 'nis2-national';
}

/** Trust service providers notify within 24 h (NIS2 Art. 23(4)(b)); a flag or the entity type says so. */
export function isTrustServiceProvider(profile: EntityProfile): boolean {
  return profile.trustServiceProvider || profile.type === 'trust_service_provider';
}
