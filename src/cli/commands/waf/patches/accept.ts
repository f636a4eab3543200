/**
 * `ensuresec waf patches accept FILE`: sends the virtual patches `ensuresec scan
 * --virtual-patches FILE` proposed to the running server (admin), which loads them into its
 * gateway's WAF without a restart and records the change in the ledger.
 */
import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { EnsuresecError } from '../../../../core/errors.js';
import { action } from '../../../action.js';

export function register(parent: Command): void {
  parent
    .command('accept')
    .description('load proposed virtual patches into the running gateway (admin)')
    .argument('<file>', 'the rules file `ensuresec scan --virtual-patches FILE` wrote')
    .action(
      action(async (context, file: string) => {
        let rules: string;
        try {
          rules = readFileSync(file, 'utf8');
        } catch (cause) {
          throw new EnsuresecError('not_found', { detail: `Cannot read ${file}.`, cause });
        }
        const outcome = await context.client().waf.acceptPatches(rules);
        if (context.output.json) return context.output.result(outcome);
        for (const patch of outcome.accepted)
          context.output.line(
            `accepted ${patch.ruleId} ${patch.checkId ?? ''} ${patch.message ?? ''}`.trimEnd(),
          );
        context.output.line(`the WAF now runs ${outcome.rules} rules`);
      }),
    );
}
