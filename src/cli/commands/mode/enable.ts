/**
 * `ensuresec mode enable NAME`: every gateway enforces the mode within a second.
 * @example ensuresec mode enable checkout-freeze --ttl 30m --reason "card testing wave"
 */
import type { Command } from 'commander';
import { action } from '../../action.js';
import type { ModeSwitchOn } from '../../../api/client.js';

interface EnableFlags {
  ttl?: string;
  reason: string;
  untilQuietRule?: string;
  quiet: string;
}

export function register(parent: Command): void {
  parent
    .command('enable')
    .description('switch a fail-safe mode on (again: change its end time and reason)')
    .argument('<name>', 'the mode, e.g. checkout-freeze (see `ensuresec mode list`)')
    .option('--ttl <duration>', 'how long, e.g. 30m, 2h (default: until disabled)')
    .requiredOption('--reason <text>', 'why, for the record')
    .option('--until-quiet-rule <ruleId>', 'end the mode once this alert rule has been quiet for --quiet')
    .option('--quiet <duration>', 'quiet time of --until-quiet-rule', '15m')
    .action(
      action(async (context, name: string, flags: EnableFlags) => {
        const input: ModeSwitchOn = { reason: flags.reason };
        if (flags.ttl !== undefined) input.ttl = flags.ttl;
        if (flags.untilQuietRule !== undefined)
          input.recovery = { ruleId: flags.untilQuietRule, quiet: flags.quiet };
        context.output.result({ ...(await context.client().modes.enable(name, input)) });
      }),
    );
}
