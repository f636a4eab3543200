/** `ensuresec user add NAME --role ROLE`: a new user; the generated password is shown once. */
import { Option, type Command } from 'commander';
import { ROLES, type Role } from '../../../core/roles.js';
import { action } from '../../action.js';
import { readStdin } from '../../stdin.js';

export function register(parent: Command): void {
  parent
    .command('add')
    .description('add a user (admin only); prints a generated password once unless --password-stdin')
    .argument('<name>', 'user name')
    .addOption(new Option('--role <role>', 'role').choices(ROLES).default('viewer'))
    .option('--password-stdin', 'read the password from standard input instead of generating one')
    .action(
      action(async (context, name: string, flags: { role: Role; passwordStdin?: boolean }) => {
        const password = flags.passwordStdin ? (await readStdin()).trim() : undefined;
        const created = await context
          .client()
          .users.add({ name, role: flags.role, ...(password ? { password } : {}) });
        context.output.result({
          id: created.user.id,
          name: created.user.name,
          role: created.user.role,
          ...(created.password
            ? { password: created.password, note: 'shown once; the user must change it at first login' }
            : {}),
        });
      }),
    );
}
