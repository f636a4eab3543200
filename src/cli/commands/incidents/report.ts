/**
 * `ensuresec incidents report ID STAGE`: a report draft as Markdown; `--set FIELD=VALUE` edits
 * a field first (VALUE is JSON, or text), `--freeze` freezes it into its next version, and
 * `--format json|md|pdf` with `--out FILE` exports it (a PDF goes to a file, by default
 * `<incident>-<stage>-v<N>.pdf`, or `-draft.pdf` for a draft).
 */
import { writeFileSync } from 'node:fs';
import { Argument, Option, type Command } from 'commander';
import { EnsuresecError } from '../../../core/errors.js';
import { REPORT_STAGES, type ReportStage } from '../../../regulation/deadlines.js';
import { action } from '../../action.js';

interface ReportFlags {
  freeze?: boolean;
  format?: 'json' | 'md' | 'pdf';
  out?: string;
  set?: string[];
  reason?: string;
}

/** `field=value`: the value as JSON when it parses (numbers, arrays, objects, null), else as text. */
export function parseAssignment(assignment: string): { field: string; value: unknown } {
  const at = assignment.indexOf('=');
  if (at <= 0) {
    throw new EnsuresecError('validation_failed', {
      detail: `--set takes FIELD=VALUE, got "${assignment}".`,
    });
  }
  const raw = assignment.slice(at + 1);
  let value: unknown = raw;
  try {
    value = JSON.parse(raw);
  } catch {
    // Plain text: kept as it is.
  }
  return { field: assignment.slice(0, at).trim(), value };
}

export function register(parent: Command): void {
  parent
    .command('report')
    .description('draft, edit, freeze and export a report (early warning, notification, …, GDPR)')
    .argument('<id>', 'the incident id (inc_…)')
    .addArgument(new Argument('<stage>', 'which report').choices(REPORT_STAGES))
    .option(
      '--set <field=value>',
      'replace a draft field first (repeatable; value is JSON or text)',
      collect,
      [],
    )
    .option('--reason <text>', 'why the fields were replaced (kept with the edit)')
    .option('--freeze', 'freeze the draft into its next immutable version')
    .addOption(new Option('--format <format>', 'what to print or write').choices(['json', 'md', 'pdf']))
    .option('--out <file>', 'write the export to this file')
    .action(
      action(async (context, id: string, stage: ReportStage, flags: ReportFlags) => {
        const client = context.client();
        for (const assignment of flags.set ?? []) {
          const change = parseAssignment(assignment);
          await client.incidents.override(id, stage, {
            ...change,
            ...(flags.reason ? { reason: flags.reason } : {}),
          });
        }
        const format = flags.format ?? (context.output.json ? 'json' : 'md');
        const write = (content: string | Buffer, fallbackName: string) => {
          const path = flags.out ?? fallbackName;
          writeFileSync(path, content);
          context.output.result({ written: path, bytes: Buffer.byteLength(content) });
        };
        if (flags.freeze) {
          const report = await client.incidents.freeze(id, stage);
          const base = `${id}-${stage.replaceAll('_', '-')}-v${report.version}`;
          if (format === 'pdf')
            return write(await client.incidents.exportReport(report.id, 'pdf'), `${base}.pdf`);
          const text =
            format === 'json'
              ? JSON.stringify(report, null, 2) + '\n'
              : (await client.incidents.exportReport(report.id, 'md')).toString('utf8');
          if (flags.out) return write(text, flags.out);
          if (format === 'json') return context.output.result({ ...report });
          context.output.line(`Frozen ${report.id} (${stage} v${report.version}, sha256 ${report.sha256}).`);
          context.output.line(text.trimEnd());
          return;
        }
        if (format === 'pdf') {
          return write(
            await client.incidents.draftPdf(id, stage),
            `${id}-${stage.replaceAll('_', '-')}-draft.pdf`,
          );
        }
        const draft = await client.incidents.report(id, stage);
        if (flags.out)
          return write(format === 'json' ? JSON.stringify(draft, null, 2) + '\n' : draft.markdown, flags.out);
        if (format === 'json') return context.output.result({ ...draft });
        context.output.line(draft.markdown.trimEnd());
      }),
    );
}

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}
