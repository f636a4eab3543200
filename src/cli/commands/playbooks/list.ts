/** `ensuresec playbooks list`: the loaded playbooks, and the files refused at load with file:line and why. */
import type { Command } from 'commander';
import { action } from '../../action.js';

export function register(parent: Command): void {
  parent
    .command('list')
    .description('list the loaded playbooks and the files that failed to load')
    .action(
      action(async (context) => {
        const listing = await context.client().playbooks.list();
        if (context.output.json) return context.output.result({ ...listing });
        if (!listing.enabled)
          context.output.line('playbooks are off: set playbooks.enabled: true in ensuresec.yaml');
        context.output.list(
          listing.items.map((item) => ({
            name: item.name,
            enabled: item.enabled,
            dryRun: item.dryRun,
            steps: item.playbook.steps.map((step) => step.type).join(', '),
            source: item.source,
          })),
          ['name', 'enabled', 'dryRun', 'steps', 'source'],
        );
        for (const problem of listing.problems) context.output.line(`refused: ${problem.text}`);
      }),
    );
}
