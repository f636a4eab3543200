/**
 * `share-indicators`: send the alert's indicators (its client address or network) to partners
 * as a STIX 2.1 bundle (indicators, sightings, course of action) in a partner notice, through
 * the persistent outbox. Always about the alert itself, so it never collides with a
 * `notify-partners` notice about the incident. Fails when the alert names no address.
 *
 * @example
 *   - type: share-indicators
 *     partners: all
 */
import { EnsuresecError } from '../../../core/errors.js';
import { renderText } from '../template.js';
import { indicatorsOf, notifyPartners, partnersText } from './partners.js';
import type { StepHandler } from './types.js';

export const shareIndicatorsStep: StepHandler<'share-indicators'> = {
  plan(step, ctx) {
    const count = indicatorsOf(ctx.alert).length;
    if (count === 0)
      throw new EnsuresecError('playbook_step_failed', { detail: 'The alert names no address to share.' });
    return `share ${count} indicator(s) as a STIX bundle with ${partnersText(step.partners)}`;
  },

  execute(step, ctx) {
    const indicators = indicatorsOf(ctx.alert);
    if (indicators.length === 0)
      throw new EnsuresecError('playbook_step_failed', { detail: 'The alert names no address to share.' });
    const title = renderText(step.title, ctx.variables);
    return notifyPartners(ctx, {
      partners: step.partners,
      reference: ctx.alert.id,
      title,
      summary: `${title}. ${ctx.alert.description}`.trim(),
      indicators,
      recommendedActions: step.recommendedActions.map((text) => renderText(text, ctx.variables)),
    });
  },
};
