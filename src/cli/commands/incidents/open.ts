/**
 * `ensuresec incidents open --title TEXT --severity S [--alert ID...] [--summary TEXT]
 * [--detected-at TIME] [--aware-at TIME]`: opens a case on the server. The two times are legal
 * timestamps, recorded once (docs/incidents.md); awareness starts the deadline clocks.
 */
import { Option, type Command } from 'commander';
import { severity, type Severity } from '../../../core/records/common.js';
import { action } from '../../action.js';

interface OpenFlags {
  title: string;
  severity: Severity;
  summary?: string;
  alert?: string[];
  detectedAt?: string;
  awareAt?: string;
}

export function register(parent: Command): void {
  parent
    .command('open')
    .description('open an incident case, from alerts or by hand')
    .requiredOption('--title <text>', 'what happened, in a line')
    .addOption(new Option('--severity <level>', 'how bad').choices(severity.options).makeOptionMandatory())
    .option('--summary <text>', 'more detail')
    .option('--alert <id...>', 'alerts that belong to it (alr_…)')
    .option('--detected-at <time>', 'when the incident was detected (ISO 8601)')
    .option('--aware-at <time>', 'when the entity became aware (ISO 8601): starts the deadline clocks')
    .action(
      action(async (context, flags: OpenFlags) => {
        const incident = await context.client().incidents.open({
          title: flags.title,
          severity: flags.severity,
          ...(flags.summary ? { summary: flags.summary } : {}),
          ...(flags.alert ? { alertIds: flags.alert } : {}),
          ...(flags.detectedAt ? { detectedAt: flags.detectedAt } : {}),
          ...(flags.awareAt ? { awareAt: flags.awareAt } : {}),
        });
        if (context.output.json) return context.output.result({ ...incident });
        context.output.line(`opened ${incident.id} (${incident.severity}): ${incident.title}`);
      }),
    );
}
