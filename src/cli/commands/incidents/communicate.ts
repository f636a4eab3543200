/** `ensuresec incidents communicate ID`: the customer communication drafted from the case (NIS2 Art. 23(1)-(2), GDPR Art. 34). */
import type { Command } from 'commander';
import { action } from '../../action.js';

export function register(parent: Command): void {
  parent
    .command('communicate')
    .description('draft the communication to customers from the case, and whether it is called for')
    .argument('<id>', 'the incident id (inc_…)')
    .option('--language <tag>', 'the customers’ language (en, de, fr, it, es; default en)')
    .action(
      action(async (context, id: string, flags: { language?: string }) => {
        const drafted = await context.client().incidents.customerCommunication(id, flags.language);
        if (context.output.json) return context.output.result({ ...drafted });
        for (const duty of drafted.duties)
          context.output.line(`${duty.reference}: ${duty.verdict} — ${duty.reason}`);
        context.output.line(`Recommended: ${drafted.recommended ? 'yes' : 'no'}`);
        context.output.line('');
        context.output.line(`Subject: ${drafted.email.subject}`);
        context.output.line('');
        context.output.line(drafted.email.text);
      }),
    );
}
