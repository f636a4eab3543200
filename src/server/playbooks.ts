/**
 * Playbooks' start (composition root): reads `playbooks:` from the configuration, loads the
 * built-in and configured playbook files (a broken file is logged with file:line and skipped),
 * resolves the shop's webhook secret, and subscribes the service to new alerts. Returns null
 * when playbooks are off (`ensuresec start` without `playbooks.enabled: true`).
 */
import type { Logger } from 'pino';
import type { Bus } from '../bus/bus.js';
import type { Clock } from '../core/clock.js';
import { EnsuresecError } from '../core/errors.js';
import { IncidentCases } from '../incidents/service.js';
import type { LedgerWriter } from '../ledger/service.js';
import type { ModeService } from '../response/modes/service.js';
import type { Notifier } from '../response/notices/notify.js';
import { formatPlaybookProblem, loadPlaybooks } from '../response/playbooks/load.js';
import { PlaybookService } from '../response/playbooks/service.js';
import type { ShopCallSettings } from '../response/playbooks/steps/index.js';
import type { Store } from '../store/store.js';
import type { EnsuresecConfig } from './config/schema.js';
import { resolveSecret } from './config/secrets.js';

export function createPlaybooks(options: {
  config: EnsuresecConfig;
  /** What an unset `playbooks.enabled` means here: true in the demo. */
  enabledByDefault: boolean;
  store: Store;
  ledger: LedgerWriter;
  bus: Bus;
  clock: Clock;
  logger: Logger;
  modes: ModeService;
  notifier: Notifier;
}): PlaybookService | null {
  const { config, logger } = options;
  const settings = config.playbooks;
  if (!(settings.enabled ?? options.enabledByDefault)) return null;
  let shop: ShopCallSettings | undefined;
  if (settings.shop) {
    const secret = resolveSecret(settings.shop.secret);
    if (!secret)
      throw new EnsuresecError('config_invalid', {
        detail: `playbooks.shop.secret: ${settings.shop.secret} is not set.`,
      });
    shop = { url: settings.shop.url, secret, timeoutMs: settings.shop.timeout };
  }
  const loaded = loadPlaybooks({ builtins: settings.builtins, dirs: settings.dirs });
  for (const problem of loaded.problems)
    logger.warn(
      { code: 'playbook_invalid', file: problem.file, line: problem.line },
      formatPlaybookProblem(problem),
    );
  logger.info({ playbooks: loaded.playbooks.map((entry) => entry.playbook.name) }, 'playbooks loaded');
  return new PlaybookService(
    {
      store: options.store,
      ledger: options.ledger,
      bus: options.bus,
      clock: options.clock,
      logger,
      modes: options.modes,
      notifier: options.notifier,
      incidents: new IncidentCases({
        store: options.store,
        ledger: options.ledger,
        clock: options.clock,
        profile: config.entity,
        bus: options.bus,
        logger,
      }),
      ...(shop ? { shop } : {}),
      carriers: config.partners.flatMap((partner) =>
        partner.role === 'carrier' && partner.webhook
          ? [{ id: partner.id, webhookUrl: partner.webhook.url }]
          : [],
      ),
    },
    loaded,
    { approvalCheckIntervalMs: settings.approvalCheckInterval },
  );
}
