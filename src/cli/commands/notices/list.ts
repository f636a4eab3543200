/** `ensuresec notices list`: notices to customers and partners with their delivery status, newest first. */
import { Option, type Command } from 'commander';
import { NOTICE_AUDIENCES, NOTICE_STATUSES, type NoticeView } from '../../../api/routes/v1/notices.js';
import { action } from '../../action.js';
import { nextPageHint, pageOf, withPageOptions, type PageFlags } from '../../pagination.js';

interface ListFlags extends PageFlags {
  status?: NoticeView['status'];
  channel?: NoticeView['channel'];
  audience?: NoticeView['audience'];
  reference?: string;
}

export function register(parent: Command): void {
  withPageOptions(
    parent
      .command('list')
      .description('list notices and their delivery status')
      .addOption(new Option('--status <status>', 'only this status').choices(NOTICE_STATUSES))
      .addOption(new Option('--channel <channel>', 'only this channel').choices(['email', 'webhook']))
      .addOption(new Option('--audience <audience>', 'only this audience').choices(NOTICE_AUDIENCES))
      .option('--reference <id>', 'only notices about this incident or alert'),
  ).action(
    action(async (context, flags: ListFlags) => {
      const page = await context.client().notices.list({
        ...pageOf(flags),
        ...(flags.status ? { status: flags.status } : {}),
        ...(flags.channel ? { channel: flags.channel } : {}),
        ...(flags.audience ? { audience: flags.audience } : {}),
        ...(flags.reference ? { reference: flags.reference } : {}),
      });
      context.output.list(page.items, [
        'id',
        'status',
        'channel',
        'audience',
        'recipient',
        'reference',
        'attempts',
        'nextAttemptAt',
        'lastError',
      ]);
      nextPageHint(context.output, page.nextCursor);
    }),
  );
}
