/**
 * `ensuresec playbooks check FILE`: validates a playbook file offline (no server needed);
 * each problem is printed as `file:line: key: message` and the exit status is non-zero.
 * @example ensuresec playbooks check ./playbooks/card-testing.yaml
 */
import type { Command } from 'commander';
import { EnsuresecError } from '../../../core/errors.js';
import { formatPlaybookProblem, loadPlaybookFile } from '../../../response/playbooks/load.js';
import { action } from '../../action.js';

export function register(parent: Command): void {
  parent
    .command('check')
    .description('validate a playbook file without a server')
    .argument('<file>', 'the playbook YAML file')
    .action(
      action(async (context, file: string) => {
        const parsed = loadPlaybookFile(file);
        if (!parsed.ok) {
          throw new EnsuresecError('playbook_invalid', {
            detail: parsed.problems.map(formatPlaybookProblem).join('\n'),
            details: parsed.problems,
          });
        }
        const { playbook } = parsed;
        context.output.result({
          file,
          ok: true,
          name: playbook.name,
          enabled: playbook.enabled,
          dryRun: playbook.dryRun,
          steps: playbook.steps.map((step) => step.type).join(', '),
        });
      }),
    );
}
