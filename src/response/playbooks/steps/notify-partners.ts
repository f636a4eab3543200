/**
 * `notify-partners`: tell partners (payment provider, carrier, partner shops, a CSIRT) what
 * happened and what to do, by email and/or signed webhook as each is configured, with the STIX
 * 2.1 bundle attached, through the persistent outbox. About the incident a previous step
 * opened, else about the alert.
 *
 * @example
 *   - type: notify-partners
 *     partners: [psp]
 *     recommendedActions: ['Watch for card testing from these addresses.']
 */
import { renderText } from '../template.js';
import { indicatorsOf, notifyPartners, partnersText } from './partners.js';
import type { StepHandler } from './types.js';

export const notifyPartnersStep: StepHandler<'notify-partners'> = {
  plan(step, ctx) {
    return `notify ${partnersText(step.partners)}: "${renderText(step.title, ctx.variables)}"`;
  },

  execute(step, ctx) {
    const incident = ctx.variables['incident'] as { id?: string } | null;
    return notifyPartners(ctx, {
      partners: step.partners,
      reference: incident?.id ?? ctx.alert.id,
      title: renderText(step.title, ctx.variables),
      summary: renderText(step.summary, ctx.variables),
      indicators: indicatorsOf(ctx.alert),
      recommendedActions: step.recommendedActions.map((text) => renderText(text, ctx.variables)),
    });
  },
};
