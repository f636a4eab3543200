/**
 * What the partner steps share (response / playbooks): the alert's shareable indicators (its
 * client address or network) and the notice request both partner steps send.
 */
import { isIP } from 'node:net';
import { EnsuresecError } from '../../../core/errors.js';
import type { Alert } from '../../../core/records/index.js';
import type { Indicator } from '../../notices/indicators.js';
import type { NotifyResult } from '../../notices/notify.js';
import type { StepContext, StepResult } from './types.js';

/** The alert's addresses as indicators (`ipv4` / `ipv6`, a network keeps its prefix). */
export function indicatorsOf(alert: Alert): Indicator[] {
  const values = new Set<string>();
  if (alert.entity?.type === 'ip') values.add(alert.entity.value);
  if (alert.subject.ip !== undefined) values.add(alert.subject.ip);
  const indicators: Indicator[] = [];
  for (const value of values) {
    const family = isIP(value.split('/')[0] ?? '');
    if (family === 0) continue;
    indicators.push({
      type: family === 4 ? 'ipv4' : 'ipv6',
      value,
      description: alert.title.slice(0, 1000),
      ...(alert.firstSeen ? { firstSeen: alert.firstSeen } : {}),
      ...(alert.lastSeen ? { lastSeen: alert.lastSeen } : {}),
      ...(alert.count !== undefined ? { count: alert.count } : {}),
    });
  }
  return indicators;
}

export async function notifyPartners(
  ctx: StepContext,
  request: {
    partners: 'all' | string[];
    reference: string;
    title: string;
    summary: string;
    indicators: Indicator[];
    recommendedActions: string[];
  },
): Promise<StepResult> {
  const notifier = ctx.deps.notifier;
  if (notifier === undefined)
    throw new EnsuresecError('playbook_step_failed', { detail: 'Notices are not available here.' });
  const result: NotifyResult = await notifier.notify({
    audience: 'partners',
    reference: request.reference,
    recipients: request.partners,
    facts: {
      title: request.title.slice(0, 200),
      summary: request.summary.slice(0, 4000) || request.title.slice(0, 200),
      severity: ctx.alert.severity,
      detectedAt: ctx.alert.firstSeen ?? ctx.alert.time,
      indicators: request.indicators,
      recommendedActions: request.recommendedActions,
    },
    actor: ctx.author.id,
  });
  const skipped = result.skipped.map((entry) => entry.partnerId).join(', ');
  return {
    detail:
      `queued ${result.queued.length} partner notice(s) about ${request.reference}` +
      (skipped ? `; skipped (no channel): ${skipped}` : ''),
    output: {
      reference: request.reference,
      queued: result.queued.length,
      alreadyQueued: result.alreadyQueued,
      indicators: request.indicators.length,
    },
  };
}

export function partnersText(partners: 'all' | string[]): string {
  return partners === 'all' ? 'every configured partner' : `partners ${partners.join(', ')}`;
}
