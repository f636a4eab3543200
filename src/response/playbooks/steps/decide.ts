/**
 * `decide`: ban, throttle or challenge an ip, cidr, ja4, user or session for a duration. The
 * decision is written through the ledger (`decision.created`, origin `playbook`) and published
 * on TOPICS.decisions, so the gateways enforce it at once.
 *
 * @example
 *   - type: decide
 *     action: ban
 *     scope: ip
 *     value: '{{ alert.entity.value }}'
 *     duration: 1h
 */
import { TOPICS, type DecisionChange } from '../../../bus/bus.js';
import { parseDurationMs } from '../../../core/duration.js';
import { EnsuresecError } from '../../../core/errors.js';
import { newId } from '../../../core/ids.js';
import { decisionSchema, type Decision } from '../../../core/records/index.js';
import { renderText } from '../template.js';
import type { StepHandler } from './types.js';

export const decideStep: StepHandler<'decide'> = {
  plan(step, ctx) {
    const value = renderText(step.value, ctx.variables);
    const rate = step.action === 'throttle' ? ` at ${step.ratePerMinute} requests/min` : '';
    return `${step.action} ${step.scope} ${value}${rate} for ${step.duration}`;
  },

  async execute(step, ctx) {
    const { deps, playbook, alert } = ctx;
    const nowMs = deps.clock.nowMs();
    const value = renderText(step.value, ctx.variables);
    const reason = step.reason
      ? renderText(step.reason, ctx.variables)
      : `playbook ${playbook.name}: ${alert.title}`.slice(0, 1024);
    const parsed = decisionSchema.safeParse({
      id: newId('dec', nowMs),
      createdAt: new Date(nowMs).toISOString(),
      action: step.action,
      scope: step.scope,
      value,
      expiresAt: new Date(nowMs + (parseDurationMs(step.duration) as number)).toISOString(),
      origin: 'playbook',
      originRef: `playbook:${playbook.name}`,
      reason,
      createdBy: ctx.author.name,
      ...(step.ratePerMinute === undefined ? {} : { ratePerMinute: step.ratePerMinute }),
      alertId: alert.id,
    });
    if (!parsed.success) {
      throw new EnsuresecError('playbook_step_failed', {
        detail: `The decision is invalid: ${parsed.error.issues.map((issue) => `${issue.path.join('.')} ${issue.message}`).join('; ')}.`,
      });
    }
    const decision: Decision = parsed.data;
    await deps.ledger.commit({
      kind: 'decision.created',
      actor: ctx.author.id,
      write: async (tx) => {
        await tx.decisions.insert(decision);
        return decision;
      },
    });
    try {
      await deps.bus.publish<DecisionChange>(
        TOPICS.decisions,
        { type: 'created', decision },
        { id: `decision.created.${decision.id}` },
      );
    } catch (error) {
      // The store holds the decision and gateways also poll: a bus hiccup delays, never loses it.
      deps.logger.warn({ err: error, topic: TOPICS.decisions }, 'publishing a playbook decision failed');
    }
    return {
      detail: `${decideStep.plan(step, ctx)} (${decision.id})`,
      output: { decisionId: decision.id, action: decision.action, scope: decision.scope },
    };
  },
};
