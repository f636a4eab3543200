/**
 * Decision: what a gateway must do about a client (ban / throttle / challenge / allow),
 * scoped to an ip, cidr, ja4 fingerprint, user or session, for a duration.
 */
import { z } from 'zod';
import { isIP } from 'node:net';
import { personal, type PersonalDataKind } from '../personal-data.js';
import { idOf, isoTimestamp } from './common.js';

export const DECISION_ACTIONS = ['ban', 'throttle', 'challenge', 'allow'] as const;
export const DECISION_SCOPES = ['ip', 'cidr', 'ja4', 'user', 'session'] as const;
export const DECISION_ORIGINS = ['cli', 'api', 'playbook', 'detector', 'scanner', 'import'] as const;

const SCOPE_PERSONAL_KIND: Record<(typeof DECISION_SCOPES)[number], PersonalDataKind | null> = {
  ip: 'client_address',
  cidr: 'client_address',
  ja4: null,
  user: 'account_id',
  session: 'session_id',
};

export const decisionSchema = z
  .object({
    id: idOf('dec'),
    createdAt: isoTimestamp,
    action: z.enum(DECISION_ACTIONS),
    scope: z.enum(DECISION_SCOPES),
    value: personal(
      (holder) => SCOPE_PERSONAL_KIND[holder['scope'] as (typeof DECISION_SCOPES)[number]] ?? null,
      z.string().min(1).max(256),
    ),
    /** null: until deleted. */
    expiresAt: isoTimestamp.nullable(),
    origin: z.enum(DECISION_ORIGINS),
    /** Which one within the origin: `playbook:<name>`, `detector:<name>`, `token:<tok_id>`, `user:<name>`. */
    originRef: z
      .string()
      .regex(/^[a-z]+:\S{1,200}$/, 'kind:name, e.g. playbook:credential-stuffing')
      .optional(),
    reason: z.string().max(1024).default(''),
    createdBy: z.string().max(256).optional(),
    /** For throttle: requests per minute allowed to the subject. */
    ratePerMinute: z.number().int().min(1).max(1_000_000).optional(),
    alertId: idOf('alr').optional(),
  })
  .superRefine((decision, ctx) => {
    if (decision.scope === 'ip' && isIP(decision.value) === 0) {
      ctx.addIssue({ code: 'custom', path: ['value'], message: 'must be an IPv4 or IPv6 address' });
    }
    if (decision.scope === 'cidr' && !isCidr(decision.value)) {
      ctx.addIssue({
        code: 'custom',
        path: ['value'],
        message: 'must be a CIDR block such as 203.0.113.0/24',
      });
    }
    if (decision.action === 'throttle' && decision.ratePerMinute === undefined) {
      ctx.addIssue({ code: 'custom', path: ['ratePerMinute'], message: 'is required for throttle' });
    }
  });

export function isCidr(value: string): boolean {
  const [address, bits, extra] = value.split('/');
  if (address === undefined || bits === undefined || extra !== undefined || !/^\d{1,3}$/.test(bits))
    return false;
  const family = isIP(address);
  const prefix = Number(bits);
  return (family === 4 && prefix <= 32) || (family === 6 && prefix <= 128);
}

export type Decision = z.infer<typeof decisionSchema>;
export type DecisionInput = z.input<typeof decisionSchema>;
export type DecisionAction = Decision['action'];
export type DecisionScope = Decision['scope'];
