/** `ensuresec start`: the server (API) and the gateway from ensuresec.yaml; `--upstream URL` protects a running shop. */
import type { Command } from 'commander';
import { action } from '../action.js';
import { createLogger } from '../../server/logger.js';
import type { startRuntime as StartRuntime } from '../../server/runtime.js';
import { EnsuresecError } from '../../core/errors.js';
import { waitForShutdown } from '../shutdown.js';
import { applyWafOptions, wafSummary, withWafOptions, type WafFlags } from '../waf-options.js';

type StartFlags = { upstream?: string; follow?: string; tokenFile?: string } & WafFlags;

export function register(program: Command): void {
  withWafOptions(program.command('start'))
    .description('start the API server and the gateway in front of your shop')
    .option('--upstream <url>', 'the shop to protect (overrides gateway.upstream)')
    .option('--follow <url>', "run only a gateway following this server's decision feed")
    .option('--token-file <file>', 'with --follow: a file holding a gateway-role API token')
    .action(
      action(async (context, options: StartFlags) => {
        // Loaded here, not at the top: every other command starts without the server's modules.
        const { startRuntime } = await import('../../server/runtime.js');
        const { startFollowingGateway } = await import('../../server/following-gateway.js');
        const { config } = context.loadConfig();
        applyWafOptions(config, options);
        const logger = createLogger(config.logging.level);
        const follow = followSettings(config.gateway.follow, options);
        if (follow !== undefined) {
          const remote = await startFollowingGateway({
            config,
            follow,
            dataDir: context.dataDir(),
            logger,
            ...(options.upstream ? { upstream: options.upstream } : {}),
          });
          process.stdout.write(
            [
              `Ensuresec gateway ${remote.gatewayUrl} -> ${options.upstream ?? config.gateway.upstream}`,
              `Decisions followed from ${follow.url} every ${follow.interval} ms`,
              `Modes      followed from ${follow.url} (long poll: a switch applies at once)`,
              `WAF        ${wafSummary(config.waf)}`,
            ].join('\n') + '\n',
          );
          process.on('SIGHUP', () => void remote.reloadWaf());
          await waitForShutdown(() => remote.close(), logger);
          return;
        }
        const runtimeOptions: Parameters<typeof StartRuntime>[0] = {
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

type FollowConfig = { url: string; tokenFile: string; interval: number } | undefined;

/** --follow/--token-file override gateway.follow; one without the other is a mistake. */
function followSettings(
  configured: FollowConfig,
  flags: { follow?: string; tokenFile?: string },
): FollowConfig {
  if (flags.follow === undefined && flags.tokenFile === undefined) return configured;
  const url = flags.follow ?? configured?.url;
  const tokenFile = flags.tokenFile ?? configured?.tokenFile;
  if (url === undefined || tokenFile === undefined) {
    throw new EnsuresecError('bad_request', {
      detail: '--follow URL and --token-file FILE go together (or set gateway.follow in ensuresec.yaml).',
    });
  }
  if (!/^https?:\/\/[^/]/.test(url)) {
    throw new EnsuresecError('bad_request', { detail: `--follow ${url}: give the server's http(s) URL.` });
  }
  return { url, tokenFile, interval: configured?.interval ?? 1_000 };
}
