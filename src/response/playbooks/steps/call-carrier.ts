/**
 * `call-carrier`: ask the carrier to act on a parcel or a locker (hold or release a parcel,
 * block a locker compartment, send its proof of delivery) with a webhook signed per the
 * Standard Webhooks spec, queued in the persistent outbox (retried, sent once under one
 * `webhook-id`) through the ledger (`notice.queued`). The carrier is a partner of role
 * `carrier` with a webhook (`partners:` in ensuresec.yaml). The body is
 * `{ type: "ensuresec.carrier.<action>", timestamp, data }`; `data` carries the alert's
 * delivery identifiers (order, parcel, locker, compartment from its entity and evidence), never
 * a person's identifier, and the step's own `data`.
 *
 * @example
 *   - type: call-carrier
 *     action: hold-parcel
 *     data: { reason: '{{ alert.title }}' }
 */
import { createHash } from 'node:crypto';
import { EnsuresecError } from '../../../core/errors.js';
import { ulid } from '../../../core/ids.js';
import type { Alert } from '../../../core/records/index.js';
import type { OutboxMessage } from '../../../store/store.js';
import { renderText } from '../template.js';
import type { StepContext, StepHandler } from './types.js';

/** Evidence keys that name a parcel, an order, a locker or a carrier: nothing personal. */
const IDENTIFIER_KEYS = ['orderId', 'parcelId', 'lockerId', 'compartment', 'vehicleId', 'carrier'] as const;

function carrierOf(ctx: StepContext, wanted: string | undefined): { id: string; webhookUrl: string } {
  const carriers = ctx.deps.carriers ?? [];
  const named = wanted ?? String(ctx.alert.evidence?.['carrier'] ?? '');
  const byName = carriers.find((carrier) => carrier.id === named);
  if (byName) return byName;
  if (wanted === undefined && carriers.length === 1) return carriers[0] as { id: string; webhookUrl: string };
  throw new EnsuresecError('playbook_step_failed', {
    detail:
      carriers.length === 0
        ? 'No carrier is configured: add a partner with role carrier and a webhook to partners.'
        : `No configured carrier ${named ? `"${named}"` : 'is named'}: set the step's carrier to one of ${carriers.map((c) => c.id).join(', ')}.`,
  });
}

/** The alert's delivery identifiers: its entity when an order or a device, and identifier evidence. */
export function deliveryIdentifiers(alert: Alert): Record<string, string> {
  const found: Record<string, string> = {};
  if (alert.entity?.type === 'order') found['orderId'] = alert.entity.value;
  if (alert.entity?.type === 'device') {
    const [lockerOrVehicle, compartment] = alert.entity.value.split('/');
    found['deviceId'] = lockerOrVehicle ?? alert.entity.value;
    if (compartment) found['compartment'] = compartment;
  }
  for (const key of IDENTIFIER_KEYS) {
    const value = alert.evidence?.[key];
    if ((typeof value === 'string' && value !== '') || typeof value === 'number') found[key] = String(value);
  }
  return found;
}

export const callCarrierStep: StepHandler<'call-carrier'> = {
  plan(step, ctx) {
    for (const value of Object.values(step.data)) renderText(value, ctx.variables);
    const ids = deliveryIdentifiers(ctx.alert);
    const about = Object.entries(ids)
      .filter(([key]) => key !== 'carrier')
      .map(([key, value]) => `${key} ${value}`)
      .join(', ');
    return `ask the carrier${step.carrier ? ` ${step.carrier}` : ''}: ${step.action}${about ? ` (${about})` : ''}`;
  },

  async execute(step, ctx) {
    const carrier = carrierOf(ctx, step.carrier);
    const data: Record<string, string> = {};
    for (const [key, value] of Object.entries(step.data)) data[key] = renderText(value, ctx.variables);
    const nowMs = ctx.deps.clock.nowMs();
    const nowIso = new Date(nowMs).toISOString();
    const body = JSON.stringify({
      type: `ensuresec.carrier.${step.action}`,
      timestamp: nowIso,
      data: {
        action: step.action,
        playbook: ctx.playbook.name,
        runId: ctx.run.id,
        alertId: ctx.alert.id,
        ...deliveryIdentifiers(ctx.alert),
        ...data,
      },
    });
    const key = [ctx.run.id, String(ctx.stepIndex), carrier.id].join('\n');
    const message: OutboxMessage = {
      id: `ntc_${ulid(nowMs)}`,
      idempotencyKey: `ntk_${createHash('sha256').update(key).digest('base64url').slice(0, 32)}`,
      channel: 'webhook',
      audience: 'partners',
      reference: ctx.alert.id,
      recipient: carrier.id,
      partnerId: carrier.id,
      content: { kind: 'webhook', url: carrier.webhookUrl, body },
      status: 'pending',
      attempts: 0,
      createdAt: nowIso,
      updatedAt: nowIso,
      nextAttemptAt: nowIso,
      lastError: null,
      deliveredAt: null,
    };
    const queued = await ctx.deps.ledger.commit({
      kind: 'notice.queued',
      actor: `playbook:${ctx.playbook.name}`,
      write: async (tx) => ((await tx.outbox.enqueue(message)) ? message : undefined),
    });
    return {
      detail: queued
        ? `queued ${step.action} for carrier ${carrier.id}`
        : `${step.action} for carrier ${carrier.id} was already queued`,
      output: {
        action: step.action,
        carrier: carrier.id,
        noticeId: queued ? message.id : '',
        queued: !!queued,
      },
    };
  },
};
