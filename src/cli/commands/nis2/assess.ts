/**
 * `ensuresec nis2 assess FILE [--profile FILE] [--aware-at TIME] [--json]`: the significance
 * assessment and the deadlines of an incident description (docs/incidents.md, "Assessing
 * without a server"), computed here with no server: the same as `ensuresec incidents assess
 * --file FILE`.
 */
import type { Command } from 'commander';
import { action } from '../../action.js';
import { assessFile, type AssessFlags } from '../incidents/assess.js';

export function register(parent: Command): void {
  parent
    .command('assess')
    .description('assess an incident description (JSON) against NIS2, Regulation 2024/2690 and GDPR, offline')
    .argument('<file>', 'the incident description (JSON)')
    .option('--profile <path>', 'the entity profile (JSON); default: entity: in ensuresec.yaml')
    .option('--aware-at <time>', 'when the entity became aware (ISO 8601), to compute the deadlines')
    .action(
      action((context, file: string, flags: AssessFlags) => {
        assessFile(context, file, flags);
        return Promise.resolve();
      }),
    );
}
