/**
 * `incident`: open an incident from the alert, or (`open-or-update`, the default) add the alert
 * to the incident this playbook opened within `within` and that is not handled yet. Goes through
 * the incident service, so the case, its timeline and its legal "detected" time are on record.
 * Later steps read the incident as `{{ incident.id }}`.
 *
 * @example
 *   - type: incident
 *     title: 'Credential stuffing against the login'
 *     severity: high
 */
import { parseDurationMs } from '../../../core/duration.js';
import type { Incident } from '../../../core/records/index.js';
import { renderText } from '../template.js';
import type { StepContext, StepHandler } from './types.js';

const HANDLED = new Set<Incident['status']>(['recovered', 'closed']);
const SEARCH_LIMIT = 200;

async function openIncidentOf(ctx: StepContext, withinMs: number): Promise<Incident | undefined> {
  const sinceMs = ctx.deps.clock.nowMs() - withinMs;
  const page = await ctx.deps.store.incidents.list({ limit: SEARCH_LIMIT });
  return page.items.find(
    (incident) =>
      incident.labels['playbook'] === ctx.playbook.name &&
      !HANDLED.has(incident.status) &&
      Date.parse(incident.createdAt) >= sinceMs,
  );
}

export const incidentStep: StepHandler<'incident'> = {
  plan(step, ctx) {
    const title = renderText(step.title, ctx.variables);
    return step.action === 'open'
      ? `open an incident "${title}"`
      : `add the alert to this playbook's open incident, or open one "${title}"`;
  },

  async execute(step, ctx) {
    const { alert, author, deps } = ctx;
    if (step.action === 'open-or-update') {
      const existing = await openIncidentOf(ctx, parseDurationMs(step.within) as number);
      if (existing !== undefined) {
        await deps.incidents.append(
          existing.id,
          { kind: 'alert', data: { ref: alert.id, summary: alert.title.slice(0, 2000) } },
          author.id,
        );
        return {
          detail: `added the alert to incident ${existing.id}`,
          output: { incidentId: existing.id, opened: false },
          incidentId: existing.id,
        };
      }
    }
    const title = renderText(step.title, ctx.variables);
    const view = await deps.incidents.open(
      {
        title,
        severity: step.severity ?? alert.severity,
        summary: step.summary ? renderText(step.summary, ctx.variables) : alert.description,
        alertIds: [alert.id],
        labels: { playbook: ctx.playbook.name, ruleId: alert.ruleId.slice(0, 1024) },
        detectedAt: alert.firstSeen ?? alert.time,
      },
      author.id,
    );
    const id = view.incident.id;
    return { detail: `opened incident ${id}`, output: { incidentId: id, opened: true }, incidentId: id };
  },
};
