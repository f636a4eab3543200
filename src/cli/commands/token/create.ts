/** `ensuresec token create NAME`: a new API token, shown once (only its hash is kept). */
import type { Command } from 'commander';
import { EnsuresecError } from '../../../core/errors.js';
import { action } from '../../action.js';

export function register(parent: Command): void {
  parent
    .command('create')
    .description('create an API token; it is shown once')
    .argument('<name>', 'what the token is for, e.g. "remote-gateway-1"')
    .option('--expires-in-days <days>', 'expiry in days (default: never)')
    .option('--user <id>', 'create it for another user (admin only)')
    .action(
      action(async (context, name: string, flags: { expiresInDays?: string; user?: string }) => {
        const days = flags.expiresInDays === undefined ? undefined : Number.parseInt(flags.expiresInDays, 10);
        if (days !== undefined && (!Number.isInteger(days) || days < 1)) {
          throw new EnsuresecError('validation_failed', {
            detail: '--expires-in-days must be a whole number of days, 1 or more.',
          });
        }
        const created = await context.client().tokens.create({
          name,
          ...(days ? { expiresInDays: days } : {}),
          ...(flags.user ? { userId: flags.user } : {}),
        });
        context.output.result({
          id: created.record.id,
          name: created.record.name,
          expiresAt: created.record.expiresAt,
          token: created.token,
          note: 'shown once: store it now (ENSURESEC_TOKEN=...)',
        });
      }),
    );
}
