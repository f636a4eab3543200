/** `ensuresec start`: the server (API) and the gateway from ensuresec.yaml; `--upstream URL` protects a running shop. */
import type { Command } from 'commander';
import { action } from '../action.js';
import { createLogger } from '../../server/logger.js';
import { startRuntime } from '../../server/runtime.js';
import { waitForShutdown } from '../shutdown.js';
import { applyWafOptions, wafSummary, withWafOptions, type WafFlags } from '../waf-options.js';

export function register(program: Command): void {
  withWafOptions(program.command('start'))
    .description('start the API server and the gateway in front of your shop')
    .option('--upstream <url>', 'the shop to protect (overrides gateway.upstream)')
    .action(
      action(async (context, options: { upstream?: string } & WafFlags) => {
        const { config } = context.loadConfig();
        applyWafOptions(config, options);
        const logger = createLogger(config.logging.level);
        const runtimeOptions: Parameters<typeof startRuntime>[0] = {
          config,
          dataDir: context.dataDir(),
          logger,
        };
        if (options.upstream) runtimeOptions.upstream = options.upstream;
        const runtime = await startRuntime(runtimeOptions);
        const lines = [
          `Ensuresec ${runtime.gatewayUrl ? `gateway ${runtime.gatewayUrl} -> ${options.upstream ?? config.gateway.upstream}` : '(no gateway)'}`,
          `API        ${runtime.apiUrl}/api/v1   (OpenAPI: ${runtime.apiUrl}/api/v1/openapi.json)`,
          `WAF        ${wafSummary(config.waf)}`,
          `Data       ${context.dataDir()}`,
        ];
        if (runtime.admin.oneTimePassword) {
          lines.push(
            `Admin      user "admin", one-time password: ${runtime.admin.oneTimePassword}  (shown once; change it at first login)`,
          );
        }
        process.stdout.write(lines.join('\n') + '\n');
        // SIGHUP reloads the WAF rules (after editing ensuresec's rule files or updating the CRS).
        // The WAF logs the outcome itself (rules loaded, or the error and that the last good set runs).
        process.on('SIGHUP', () => void runtime.reloadWaf());
        await waitForShutdown(() => runtime.close(), logger);
      }),
    );
}
