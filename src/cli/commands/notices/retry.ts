/** `ensuresec notices retry ID`: a failed or dead notice is sent again now. */
import type { Command } from 'commander';
import { action } from '../../action.js';

export function register(parent: Command): void {
  parent
    .command('retry')
    .description('send a failed or dead notice again now')
    .argument('<id>', 'notice id (ntc_…)')
    .action(
      action(async (context, id: string) => {
        const notice = await context.client().notices.retry(id);
        context.output.result({ id: notice.id, status: notice.status, attempts: notice.attempts });
      }),
    );
}
