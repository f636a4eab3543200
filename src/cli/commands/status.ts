/** `ensuresec status`: what the running server says about itself. */
import type { Command } from 'commander';
import { action } from '../action.js';

export function register(program: Command): void {
  program
    .command('status')
    .description('show the running server: version, uptime, store, counts, gateway')
    .action(
      action(async (context) => {
        const status = await context.client().status();
        context.output.result({
          version: status.version,
          uptimeSeconds: Math.round(status.uptimeSeconds),
          store: status.store,
          events: status.counts.events,
          users: status.counts.users,
          ...status.providers,
        });
      }),
    );
}
