/** `ensuresec incidents reports ID`: the frozen report versions of an incident, oldest first. */
import type { Command } from 'commander';
import { action } from '../../action.js';

export function register(parent: Command): void {
  parent
    .command('reports')
    .description('list the frozen report versions of an incident')
    .argument('<id>', 'the incident id (inc_…)')
    .action(
      action(async (context, id: string) => {
        const { items } = await context.client().incidents.reports(id);
        context.output.list(items, [
          'id',
          'stage',
          'version',
          'frozenAt',
          'frozenBy',
          'missing',
          'indicators',
        ]);
      }),
    );
}
