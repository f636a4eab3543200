/** `ensuresec incidents show ID`: one case with its legal timestamps, significance, clocks and timeline. */
import type { Command } from 'commander';
import { action } from '../../action.js';
import { printAssessment, printClocks } from './print.js';

export function register(parent: Command): void {
  parent
    .command('show')
    .description('show an incident case: significance, deadlines and timeline')
    .argument('<id>', 'the incident id (inc_…)')
    .action(
      action(async (context, id: string) => {
        const view = await context.client().incidents.show(id);
        if (context.output.json) return context.output.result({ ...view });
        context.output.result({
          id: view.incident.id,
          title: view.incident.title,
          status: view.incident.status,
          severity: view.incident.severity,
          significant: view.significant,
          decision: view.decision
            ? `${view.decision.significant} by ${view.decision.actor}: ${view.decision.reason}`
            : undefined,
          ...Object.fromEntries(
            Object.entries(view.legalTimes).map(([clock, time]) => [`${clock}At`, time?.time]),
          ),
        });
        if (view.assessment) printAssessment(context.output, view.assessment);
        printClocks(context.output, view.clocks);
        context.output.list(
          view.timeline.map((entry) => ({
            at: entry.at,
            kind: entry.kind,
            actor: entry.actor,
            data: entry.data,
          })),
          ['at', 'kind', 'actor', 'data'],
        );
      }),
    );
}
