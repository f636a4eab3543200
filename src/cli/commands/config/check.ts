/** `ensuresec config check`: reads ensuresec.yaml and reports every problem with its key and line. */
import type { Command } from 'commander';
import { action } from '../../action.js';

export function register(parent: Command): void {
  parent
    .command('check')
    .description('check ensuresec.yaml (or --config FILE); errors name the key and line')
    .action(
      action(async (context) => {
        const { path, config } = context.loadConfig();
        context.output.result({
          valid: true,
          file: path ?? '(none: defaults)',
          store: config.store.dialect,
          api: `${config.api.host}:${config.api.port}`,
          gateway: config.gateway.enabled
            ? `${config.gateway.host}:${config.gateway.port} -> ${config.gateway.upstream}`
            : 'off',
          dataDir: context.dataDir(),
        });
      }),
    );
}
