/**
 * `ensuresec mode disable NAME`: the gateways stop enforcing it within a second.
 * @example ensuresec mode disable checkout-freeze --reason "wave over"
 */
import type { Command } from 'commander';
import { action } from '../../action.js';

export function register(parent: Command): void {
  parent
    .command('disable')
    .description('switch a fail-safe mode off')
    .argument('<name>', 'the mode, e.g. checkout-freeze')
    .requiredOption('--reason <text>', 'why, for the record')
    .action(
      action(async (context, name: string, flags: { reason: string }) => {
        context.output.result({ ...(await context.client().modes.disable(name, { reason: flags.reason })) });
      }),
    );
}
