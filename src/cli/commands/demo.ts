/** `ensuresec demo`: the demo shop behind the gateway, the API and the traffic simulator, with every URL printed. */
import type { Command } from 'commander';
import { action } from '../action.js';
import { createLogger } from '../../server/logger.js';
import { waitForShutdown } from '../shutdown.js';
import { applyWafOptions, wafSummary, withWafOptions, type WafFlags } from '../waf-options.js';

interface DemoFlags extends WafFlags {
  vulnerable?: boolean;
  simulator?: boolean;
  scenario?: string[];
  shoppers?: string;
}

export function register(program: Command): void {
  withWafOptions(program.command('demo'))
    .description('run the demo shop behind the Ensuresec gateway, with the API and simulated shoppers')
    .option('--vulnerable', "turn on the demo shop's deliberate flaws (see docs/demo.md)")
    .option('--no-simulator', 'do not send simulated shoppers')
    .option(
      '--scenario <name...>',
      'attack scenarios to play (sql-injection, xss, credential-stuffing, card-testing, coupon-abuse, scraping, path-probing) and delivery incidents (locker-break-in, insider-fraud, inr-claim-ring, ato-redirect)',
    )
    .option('--shoppers <n>', 'simulated shoppers at once')
    .action(
      action(async (context, flags: DemoFlags) => {
        // Loaded here, not at the top: every other command starts without the demo's modules.
        const { startDemo } = await import('../../server/demo.js');
        const { config } = context.loadConfig();
        if (flags.vulnerable) config.demo.vulnerable = true;
        applyWafOptions(config, flags);
        if (flags.simulator === false) config.demo.simulator.enabled = false;
        if (flags.scenario) config.demo.simulator.scenarios = flags.scenario;
        if (flags.shoppers)
          config.demo.simulator.shoppers = Math.max(0, Number.parseInt(flags.shoppers, 10) || 0);
        // The demo prints its own banner; the log keeps to warnings unless asked otherwise.
        const logger = createLogger(config.logging.level === 'info' ? 'warn' : config.logging.level);
        const dataDir = context.dataDir();
        const demo = await startDemo({ config, dataDir, logger });
        const { runtime } = demo;
        const admin = runtime.admin.oneTimePassword
          ? `user "admin", one-time password ${runtime.admin.oneTimePassword} (shown once)`
          : `user "admin" (password set at first start, or ENSURESEC_ADMIN_PASSWORD)`;
        process.stdout.write(
          [
            '',
            'Ensuresec demo is running',
            `  Shop through the gateway  ${runtime.gatewayUrl}          <- open this`,
            `  Shop directly (unsafe)    ${demo.shopUrl}`,
            `  Shop admin page           ${runtime.gatewayUrl}/admin   (${demo.shopAdmin.email} / ${demo.shopAdmin.password})`,
            `  Ensuresec dashboard       ${demo.dashboardUrl}          <- sign in as admin`,
            `  Ensuresec API             ${runtime.apiUrl}/api/v1`,
            `  OpenAPI document          ${runtime.apiUrl}/api/v1/openapi.json`,
            `  Health / metrics          ${runtime.apiUrl}/healthz  ${runtime.apiUrl}/metrics`,
            `  Ensuresec login           ${admin}`,
            `  CLI                       npx ensuresec status --data-dir ${dataDir}`,
            `  WAF                       ${wafSummary(config.waf)}`,
            `  Vulnerable shop           ${config.demo.vulnerable ? 'ON (deliberate flaws, see docs/demo.md)' : 'off (run with --vulnerable)'}`,
            `  Simulator                 ${config.demo.simulator.enabled ? `${config.demo.simulator.shoppers} shoppers${config.demo.simulator.scenarios.length ? `, attacks: ${config.demo.simulator.scenarios.join(', ')}` : ''}` : 'off'}`,
            '',
            'Press Ctrl-C to stop.',
            '',
          ].join('\n'),
        );
        await waitForShutdown(() => demo.close(), logger);
      }),
    );
}
