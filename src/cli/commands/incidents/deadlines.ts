/** `ensuresec incidents deadlines`: report deadlines of open cases that are due soon or overdue. */
import type { Command } from 'commander';
import { action } from '../../action.js';

export function register(parent: Command): void {
  parent
    .command('deadlines')
    .description('list report deadlines that are due soon or overdue, across open cases')
    .action(
      action(async (context) => {
        const { items } = await context.client().incidents.deadlines();
        context.output.list(items, ['state', 'dueLocal', 'stage', 'incidentId', 'title']);
      }),
    );
}
