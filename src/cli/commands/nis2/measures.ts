/**
 * `ensuresec nis2 measures`: the NIS2 Art. 21(2) (a)-(j) self-assessment for the management
 * body: status, evidence and gaps per measure, as Markdown (default) or JSON, optionally to a file.
 */
import { writeFileSync } from 'node:fs';
import { Option, type Command } from 'commander';
import { action } from '../../action.js';

export function register(parent: Command): void {
  parent
    .command('measures')
    .description('the Art. 21(2) (a)-(j) self-assessment with evidence and gaps, for the management body')
    .addOption(new Option('--format <format>', 'Markdown or JSON').choices(['md', 'json']))
    .option('--out <file>', 'write it to this file')
    .action(
      action(async (context, flags: { format?: 'md' | 'json'; out?: string }) => {
        const { markdown, ...assessment } = await context.client().nis2.measures();
        const format = flags.format ?? (context.output.json ? 'json' : 'md');
        const text = format === 'json' ? JSON.stringify(assessment, null, 2) + '\n' : markdown;
        if (flags.out) {
          writeFileSync(flags.out, text);
          return context.output.result({ written: flags.out, ...assessment.summary });
        }
        if (format === 'json') return context.output.result({ ...assessment });
        context.output.line(text.trimEnd());
      }),
    );
}
