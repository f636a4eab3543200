/**
 * `call-shop`: ask the shop to act (lock an account, cancel an order, force a password reset,
 * …) with a webhook signed per the Standard Webhooks spec, to `playbooks.shop.url`. The body is
 * `{ type: "ensuresec.playbook.<action>", timestamp, data }`; the `webhook-id` is the run and
 * step, so the shop can drop a repeat. The shop's answer (status and the start of its body)
 * is recorded; anything but 2xx fails the step.
 *
 * @example
 *   - type: call-shop
 *     action: force-password-reset
 *     data: { alertId: '{{ alert.id }}', account: '{{ alert.subject.accountId }}' }
 */
import { request } from 'undici';
import { EnsuresecError } from '../../../core/errors.js';
import { webhookHeaders } from '../../outbox/webhook-signature.js';
import { renderText } from '../template.js';
import type { StepHandler } from './types.js';

const MAX_ANSWER_CHARS = 500;

export const callShopStep: StepHandler<'call-shop'> = {
  plan(step, ctx) {
    const keys = Object.keys(step.data);
    for (const value of Object.values(step.data)) renderText(value, ctx.variables);
    return `call the shop: ${step.action}${keys.length > 0 ? ` (${keys.join(', ')})` : ''}`;
  },

  async execute(step, ctx) {
    const shop = ctx.deps.shop;
    if (shop === undefined) {
      throw new EnsuresecError('shop_call_failed', {
        detail: 'No shop endpoint is configured: set playbooks.shop.url and playbooks.shop.secret.',
      });
    }
    const data: Record<string, string> = {};
    for (const [key, value] of Object.entries(step.data)) data[key] = renderText(value, ctx.variables);
    const nowMs = ctx.deps.clock.nowMs();
    const body = JSON.stringify({
      type: `ensuresec.playbook.${step.action}`,
      timestamp: new Date(nowMs).toISOString(),
      data: {
        action: step.action,
        playbook: ctx.playbook.name,
        runId: ctx.run.id,
        alertId: ctx.alert.id,
        ...data,
      },
    });
    const id = `${ctx.run.id}_${ctx.stepIndex}`;
    let status: number;
    let answer: string;
    try {
      const response = await request(shop.url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          ...webhookHeaders({ secret: shop.secret, id, timestampSeconds: Math.floor(nowMs / 1000), body }),
        },
        body,
        headersTimeout: shop.timeoutMs,
        bodyTimeout: shop.timeoutMs,
      });
      status = response.statusCode;
      answer = (await response.body.text()).slice(0, MAX_ANSWER_CHARS);
    } catch (error) {
      throw new EnsuresecError('shop_call_failed', {
        detail: `${step.action}: the shop did not answer (${(error as Error).message}).`,
        cause: error,
      });
    }
    if (status < 200 || status > 299) {
      throw new EnsuresecError('shop_call_failed', {
        detail: `${step.action}: the shop answered HTTP ${status}: ${answer.slice(0, 200)}`,
      });
    }
    return {
      detail: `the shop accepted ${step.action} (HTTP ${status})`,
      output: { action: step.action, webhookId: id, status, answer },
    };
  },
};
