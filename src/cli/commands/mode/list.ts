/** `ensuresec mode list`: every defined fail-safe mode and, for those in force, who, why and until when. */
import type { Command } from 'commander';
import { action } from '../../action.js';

export function register(parent: Command): void {
  parent
    .command('list')
    .description('list the fail-safe modes and which are in force')
    .action(
      action(async (context) => {
        const modes = await context.client().modes.list();
        const rows = modes.map((mode) => ({
          name: mode.name,
          effect: mode.effect,
          active: mode.active !== null,
          until: mode.active?.until ?? '',
          enabledBy: mode.active?.enabledBy ?? '',
          reason: mode.active?.reason ?? '',
        }));
        context.output.list(rows, ['name', 'effect', 'active', 'until', 'enabledBy', 'reason']);
      }),
    );
}
