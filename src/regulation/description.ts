/**
 * What the significance assessment reads about one incident (regulation, no I/O): the facts
 * and impact figures, each optional, because an incomplete description still gets an
 * assessment that names what is missing. Booleans mean "caused, or capable of causing" (NIS2
 * Art. 23(3) counts potential impact); counts are actual, or the estimated maximum where they
 * cannot be calculated (CIR recital 32). This is also the documented JSON schema of
 * `ensuresec incidents assess --file`.
 */
import { z } from 'zod';
import { memberState } from './profile.js';

const isoTime = z.iso.datetime({ offset: true });
export const triState = z.enum(['yes', 'no', 'unknown']);
export type TriState = z.infer<typeof triState>;

/** An earlier incident with the same apparent root cause, for CIR Art. 4 (recurring incidents). */
export const relatedIncidentSchema = z.strictObject({
  id: z.string().min(1).max(64),
  occurredAt: isoTime,
  rootCause: z.string().min(1).max(200),
  directFinancialLossEur: z.number().min(0),
  /** Was it significant on its own? Only incidents that were not count together. */
  significant: z.boolean().default(false),
});
export type RelatedIncident = z.infer<typeof relatedIncidentSchema>;

export const impactFiguresSchema = z.strictObject({
  /** All users affected (contracted business and end customers, and persons associated with business customers). */
  usersAffected: z.number().int().min(0).optional(),
  euUsersAffected: z.number().int().min(0).optional(),
  /** `complete`: the service was unavailable; `limited`: degraded; `none`: fully available. */
  availability: z.enum(['none', 'limited', 'complete']).optional(),
  unavailabilityStart: isoTime.optional(),
  unavailabilityEnd: isoTime.optional(),
  /** Integrity, confidentiality or authenticity of data related to the service compromised. */
  dataCompromised: z.boolean().optional(),
  dataCompromisedKinds: z
    .array(z.enum(['integrity', 'confidentiality', 'authenticity']))
    .max(3)
    .optional(),
  /** What kind of data, e.g. `customer addresses`, `card numbers`, `order history`. */
  dataCategories: z.array(z.string().min(1).max(200)).max(50).optional(),
  tradeSecretsExfiltrated: z.boolean().optional(),
  death: z.boolean().optional(),
  considerableHealthDamage: z.boolean().optional(),
  /** Direct financial loss to the entity, EUR (estimate). */
  directFinancialLossEur: z.number().min(0).optional(),
  /** Successful, unauthorised access to network and information systems. */
  unauthorisedAccess: z.boolean().optional(),
  /** Capable of causing severe operational disruption (CIR Art. 3(1)(e), NIS2 Art. 23(3)(a)). */
  severeOperationalDisruption: z.boolean().optional(),
  /** Considerable material or non-material damage to other persons (NIS2 Art. 23(3)(b)). */
  considerableDamageToOthers: z.boolean().optional(),
  suspectedMalicious: triState.optional(),
  crossBorderImpact: triState.optional(),
  memberStatesAffected: z.array(memberState).max(30).optional(),
  /** The interruption was planned or contractually agreed (CIR Art. 3(2)). */
  plannedInterruption: z.boolean().optional(),
});
export type ImpactFigures = z.infer<typeof impactFiguresSchema>;

export const personalDataSchema = z.strictObject({
  involved: z.boolean().optional(),
  dataSubjectsAffected: z.number().int().min(0).optional(),
  recordsAffected: z.number().int().min(0).optional(),
  categories: z.array(z.string().min(1).max(200)).max(50).optional(),
  /** The controller's judgement of the risk to the rights and freedoms of natural persons. */
  risk: z.enum(['unlikely', 'risk', 'high']).optional(),
  riskRationale: z.string().max(4000).optional(),
  /** Art. 34(3)(a): the data was unintelligible to anyone not authorised (e.g. encrypted). */
  unintelligible: z.boolean().optional(),
  /** Art. 34(3)(b): later measures mean the high risk is no longer likely to materialise. */
  highRiskNoLongerLikely: z.boolean().optional(),
  /** Art. 34(3)(c): telling each data subject would involve disproportionate effort. */
  disproportionateEffort: z.boolean().optional(),
});
export type PersonalDataFacts = z.infer<typeof personalDataSchema>;

export const incidentDescriptionSchema = z.strictObject({
  title: z.string().max(512).optional(),
  /** When the incident began, or was first seen; the anchor of the Art. 4 six-month window. */
  occurredAt: isoTime.optional(),
  /** The apparent root cause as a stable key, e.g. `credential-stuffing` (CIR Art. 4). */
  rootCause: z.string().min(1).max(200).optional(),
  impact: impactFiguresSchema.default({}),
  personalData: personalDataSchema.default({}),
  /** Earlier incidents of the entity, for the recurrence test. */
  relatedIncidents: z.array(relatedIncidentSchema).max(1000).default([]),
});
export type IncidentDescription = z.output<typeof incidentDescriptionSchema>;
export type IncidentDescriptionInput = z.input<typeof incidentDescriptionSchema>;
