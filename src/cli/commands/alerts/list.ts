/** `ensuresec alerts list`: alerts, newest first, filtered by status, severity, time, rule or detector. */
import { Option, type Command } from 'commander';
import type { Alert } from '../../../core/records/index.js';
import { action } from '../../action.js';
import { nextPageHint, pageOf, withPageOptions, type PageFlags } from '../../pagination.js';

const STATUSES = ['open', 'acknowledged', 'closed'] as const;
const SEVERITIES = ['info', 'low', 'medium', 'high', 'critical'] as const;

interface ListFlags extends PageFlags {
  status?: Alert['status'];
  severity?: Alert['severity'];
  since?: string;
  rule?: string;
  detector?: string;
}

export function register(parent: Command): void {
  withPageOptions(
    parent
      .command('list')
      .description('list alerts')
      .addOption(new Option('--status <status>', 'only this status').choices(STATUSES))
      .addOption(new Option('--severity <severity>', 'only this severity').choices(SEVERITIES))
      .option('--since <time>', 'only alerts raised at or after this ISO time')
      .option('--rule <id>', 'only alerts of this rule id')
      .option('--detector <name>', 'only alerts of this detector (e.g. sigma, card-testing)'),
  ).action(
    action(async (context, flags: ListFlags) => {
      const page = await context.client().alerts.list({
        ...pageOf(flags),
        ...(flags.status ? { status: flags.status } : {}),
        ...(flags.severity ? { severity: flags.severity } : {}),
        ...(flags.since ? { since: flags.since } : {}),
        ...(flags.rule ? { ruleId: flags.rule } : {}),
        ...(flags.detector ? { detector: flags.detector } : {}),
      });
      context.output.list(
        page.items.map((alert) => ({
          ...alert,
          entity: alert.entity ? `${alert.entity.type}:${alert.entity.value}` : undefined,
          count: alert.count ?? 1,
        })),
        ['id', 'time', 'severity', 'status', 'count', 'entity', 'detector', 'title'],
      );
      nextPageHint(context.output, page.nextCursor);
    }),
  );
}
