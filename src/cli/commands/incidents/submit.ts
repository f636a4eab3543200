/**
 * `ensuresec incidents submit REPORT_ID --channel download|email`: records the submission of a
 * frozen report, once per channel. `email` sends it to the CSIRT address of the entity profile
 * (PDF, JSON and STIX attached) through the outbox; `download` records that a person handed it
 * in (`--at` when that was earlier than now) and `--out` saves the PDF to hand in.
 */
import { writeFileSync } from 'node:fs';
import { Option, type Command } from 'commander';
import { action } from '../../action.js';

interface SubmitFlags {
  channel: 'download' | 'email';
  at?: string;
  memberState?: string;
  out?: string;
}

export function register(parent: Command): void {
  parent
    .command('submit')
    .description('record the submission of a frozen report: download, or email to the CSIRT')
    .argument('<report>', 'the frozen report id (rpt_…)')
    .addOption(
      new Option('--channel <channel>', 'how it was submitted')
        .choices(['download', 'email'])
        .makeOptionMandatory(),
    )
    .option('--at <time>', 'download: when it was handed in (ISO 8601; default now)')
    .option('--member-state <code>', 'email: which configured contact (default: the first with an email)')
    .option('--out <file>', 'download: also save the PDF to this file')
    .action(
      action(async (context, reportId: string, flags: SubmitFlags) => {
        const client = context.client();
        if (flags.out) writeFileSync(flags.out, await client.incidents.exportReport(reportId, 'pdf'));
        const result = await client.incidents.submit(reportId, {
          channel: flags.channel,
          ...(flags.at ? { submittedAt: flags.at } : {}),
          ...(flags.memberState ? { memberState: flags.memberState } : {}),
        });
        context.output.result({
          report: result.reportId,
          channel: flags.channel,
          submittedAt: result.entry.data['submittedAt'],
          entry: result.entry.id,
          ...(result.sentTo ? { sentTo: result.sentTo } : {}),
          ...(flags.out ? { pdf: flags.out } : {}),
        });
      }),
    );
}
