/**
 * `notify-customers`: tell the customers whose accounts the alert's login events touched, in
 * plain language and their language where the event says it, through the notices' persistent
 * outbox (retried, never sent twice). The notice is about the incident a previous step opened,
 * else about the alert. Addresses are read from the stored events and never recorded in the run.
 *
 * @example
 *   - type: notify-customers
 *     kind: credential_attack
 *     accounts: all
 */
import { EnsuresecError } from '../../../core/errors.js';
import { isPseudonym } from '../../../core/pseudonymise.js';
import type { StepContext, StepHandler, StepResult } from './types.js';

interface Recipient {
  email: string;
  language?: string;
}

const MAX_EVENTS = 1000;

/** The distinct email addresses of the alert's login events (lower-cased), with a language when known. */
async function touchedAccounts(ctx: StepContext, onlySucceeded: boolean): Promise<Recipient[]> {
  const byEmail = new Map<string, Recipient>();
  for (const id of ctx.alert.eventIds.slice(0, MAX_EVENTS)) {
    const business = (await ctx.deps.store.events.get(id))?.business;
    const email = business?.email?.trim().toLowerCase();
    if (business === undefined || !email || isPseudonym(email) || !email.includes('@')) continue;
    if (onlySucceeded && business.outcome !== 'success') continue;
    const language = business.attributes['language'];
    if (!byEmail.has(email))
      byEmail.set(
        email,
        typeof language === 'string' && language.length <= 35 ? { email, language } : { email },
      );
  }
  return [...byEmail.values()];
}

function referenceOf(ctx: StepContext): string {
  const incident = ctx.variables['incident'] as { id?: string } | null;
  return incident?.id ?? ctx.alert.id;
}

export const notifyCustomersStep: StepHandler<'notify-customers'> = {
  plan(step) {
    return `send a ${step.kind} notice to ${step.accounts === 'succeeded' ? 'the accounts logged into' : 'every account touched'} by the alert's login events`;
  },

  async execute(step, ctx): Promise<StepResult> {
    const notifier = ctx.deps.notifier;
    if (notifier === undefined)
      throw new EnsuresecError('playbook_step_failed', { detail: 'Notices are not available here.' });
    const recipients = await touchedAccounts(ctx, step.accounts === 'succeeded');
    if (recipients.length === 0) {
      return {
        detail: "no account with an email address in the alert's events: nobody to notify",
        output: { recipients: 0 },
      };
    }
    const reference = referenceOf(ctx);
    const result = await notifier.notify({
      audience: 'customers',
      reference,
      recipients,
      facts: { kind: step.kind, detectedAt: ctx.alert.firstSeen ?? ctx.alert.time },
      actor: ctx.author.id,
    });
    return {
      detail: `queued ${result.queued.length} customer notice(s) about ${reference} (${result.alreadyQueued} queued before)`,
      output: {
        reference,
        recipients: recipients.length,
        queued: result.queued.length,
        alreadyQueued: result.alreadyQueued,
      },
    };
  },
};
