/**
 * `ensuresec cert revoke ID --reason TEXT`: revokes a registered certificate (admin); public
 * verification, the badge and `cert verify --server` say revoked from then on. Ledger-recorded.
 */
import type { Command } from 'commander';
import { action } from '../../action.js';

export function register(parent: Command): void {
  parent
    .command('revoke <id>')
    .description('revoke a registered scan certificate (admin)')
    .requiredOption('--reason <text>', 'why: shown on the public verification page')
    .action(
      action(async (context, id: string, flags: { reason: string }) => {
        const view = await context.client().certificates.revoke(id, flags.reason);
        context.output.result({
          id: view.id,
          status: view.status,
          revokedAt: view.revocation?.revokedAt ?? null,
          reason: view.revocation?.reason ?? null,
        });
      }),
    );
}
