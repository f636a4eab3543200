/** `ensuresec decisions list`: decisions, newest first; `--active` for those in force now. */
import { Option, type Command } from 'commander';
import {
  DECISION_ACTIONS,
  DECISION_SCOPES,
  type DecisionAction,
  type DecisionScope,
} from '../../../core/records/index.js';
import { action } from '../../action.js';
import { nextPageHint, pageOf, withPageOptions, type PageFlags } from '../../pagination.js';

interface ListFlags extends PageFlags {
  active?: boolean;
  scope?: DecisionScope;
  action?: DecisionAction;
  value?: string;
}

export function register(parent: Command): void {
  withPageOptions(
    parent
      .command('list')
      .description('list decisions')
      .option('--active', 'only decisions in force now')
      .addOption(new Option('--scope <scope>', 'only this scope').choices(DECISION_SCOPES))
      .addOption(new Option('--action <action>', 'only this action').choices(DECISION_ACTIONS))
      .option('--value <value>', 'only this address, block, fingerprint, user or session'),
  ).action(
    action(async (context, flags: ListFlags) => {
      const page = await context.client().decisions.list({
        ...pageOf(flags),
        ...(flags.active ? { active: true } : {}),
        ...(flags.scope ? { scope: flags.scope } : {}),
        ...(flags.action ? { action: flags.action } : {}),
        ...(flags.value ? { value: flags.value } : {}),
      });
      context.output.list(page.items, ['id', 'action', 'scope', 'value', 'expiresAt', 'origin', 'reason']);
      nextPageHint(context.output, page.nextCursor);
    }),
  );
}
