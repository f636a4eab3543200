/**
 * The composition root: the one place that reads the configuration and chooses the
 * implementations (store dialect, bus), then wires the stages together:
 * gateway ─► event sink ─► store + bus; API ─► store + bus ─► gateway decisions.
 */
import type { Logger } from 'pino';
import { Registry, collectDefaultMetrics } from 'prom-client';
import { MemoryBus } from '../bus/memory/memory-bus.js';
import { TOPICS, type Bus, type DecisionChange } from '../bus/bus.js';
import { systemClock, type Clock } from '../core/clock.js';
import { EnsuresecError } from '../core/errors.js';
import { createEventSink, type EventSink } from '../ingest/event-sink.js';
import {
  createStoreDeadLetterSink,
  type StoreDeadLetterSink,
} from '../ingest/sources/store-dead-letter-sink.js';
import { loadDetectionPipeline, runDetection, type RunningDetection } from '../detect/pipeline/index.js';
import { openStore } from '../store/index.js';
import type { Store, StoreConfig } from '../store/store.js';
import { createApiServer } from '../api/server.js';
import { bootstrapAdmin, createLocalAdminToken } from '../api/auth/index.js';
import { sha256Hex } from '../api/auth/secrets.js';
import { createGateway, type Gateway } from '../gateway/index.js';
import type { DecisionProvider } from '../gateway/decisions.js';
import type { EnsuresecConfig } from './config/schema.js';
import { resolveSecret, pseudonymisationKey } from './config/secrets.js';
import {
  ensureWritableDataDir,
  readCliToken,
  removeServerInfo,
  writeCliToken,
  writeServerInfo,
} from './data-dir.js';
import {
  registerGatewayConnectionMetrics,
  registerGatewayMetrics,
  registerWafWorkerMetrics,
} from './gateway-metrics.js';
import { gatewayOptionsOf } from './gateway-options.js';
import { deriveChallengeSecret } from '../gateway/challenge/tokens.js';
import { startRetention } from './retention.js';
import { startDeadlineReminders } from '../incidents/reminders.js';
import { shopWebhookSettings } from './shop-webhooks.js';
import { createWafForGateway, type GatewayWaf } from './waf.js';
import { StoreWafCollections } from './waf-collections.js';
import { startLedger } from './ledger.js';
import { startNotices, type RunningNotices } from './notices.js';
import type { Ledger } from '../ledger/index.js';
import { ulid } from '../core/ids.js';
import { compileModes } from '../gateway/modes/definitions.js';
import { storeModeProvider } from '../response/modes/provider.js';
import { ModeService } from '../response/modes/service.js';
import type { PlaybookService } from '../response/playbooks/service.js';
import { createPlaybooks } from './playbooks.js';
import { VERSION } from './version.js';
import { createVirtualPatchService, type WafReloader } from './virtual-patches.js';
import { startFlows } from './flows.js';
import { deliveryWebhookSettings, startDelivery, type RunningDelivery } from './delivery.js';
import type { RunningFlowSource } from '../ingest/sources/flow/run.js';
import { join } from 'node:path';

export interface RuntimeOptions {
  config: EnsuresecConfig;
  dataDir: string;
  logger: Logger;
  /** Overrides gateway.upstream (`ensuresec start --upstream URL`). */
  upstream?: string;
  /** Overrides the listening ports (tests use 0). */
  apiPort?: number;
  gatewayPort?: number;
  clock?: Clock;
  /** What an unset `playbooks.enabled` means: true in `ensuresec demo`, false in `ensuresec start`. */
  playbooksByDefault?: boolean;
  /** `ensuresec demo`: a flow port that cannot be bound is a warning, not a failed start. */
  flowsBestEffort?: boolean;
}

export interface AdminBootstrap {
  created: boolean;
  username: string;
  /** Present only when a one-time password was generated now; print it once. */
  oneTimePassword?: string;
}

export interface Runtime {
  apiUrl: string;
  gatewayUrl: string | null;
  store: Store;
  /** The audit ledger: every security-relevant write goes through `ledger.commit`. */
  ledger: Ledger;
  /** Notices to customers and partners: `notices.notify(...)` queues them in the persistent outbox. */
  notices: RunningNotices;
  bus: Bus;
  events: EventSink;
  /** Where sources sample the input they refuse (the store's dead_letters table). */
  deadLetters: StoreDeadLetterSink;
  /** The detect stage (events on the bus ─► alerts), null when `detection.enabled` is false. */
  detection: RunningDetection | null;
  /** Playbooks acting on new alerts, null when `playbooks.enabled` is off. */
  playbooks: PlaybookService | null;
  /** The NetFlow/IPFIX collector, null when disabled or its default port was taken. */
  flows: RunningFlowSource | null;
  /** The delivery source: `delivery.ingestDeliveryMessage(topic, payload)` takes a device message in-process. */
  delivery: RunningDelivery;
  admin: AdminBootstrap;
  /** Reloads the WAF rules (SIGHUP); a bad file keeps the last good set running. */
  reloadWaf(): Promise<{ ok: true; rules: number } | { ok: false; error: string }>;
  close(): Promise<void>;
}

/** The configured store: the SQLite file in the data directory, or PostgreSQL. */
export function storeConfigOf(config: EnsuresecConfig, dataDir: string): StoreConfig {
  if (config.store.dialect === 'sqlite') return { dialect: 'sqlite', path: join(dataDir, 'ensuresec.db') };
  const connectionString = resolveSecret(config.store.postgres.url);
  if (!connectionString) {
    throw new EnsuresecError('config_invalid', {
      detail: `store.postgres.url: ${config.store.postgres.url} is not set.`,
    });
  }
  const storeConfig: StoreConfig = {
    dialect: 'postgres',
    connectionString,
    maxConnections: config.store.postgres.maxConnections,
  };
  if (config.store.postgres.schema) storeConfig.schema = config.store.postgres.schema;
  return storeConfig;
}

/** Decisions for an in-process gateway: loaded from the store, refreshed at once on every change on the bus. */
function storeDecisionProvider(store: Store, bus: Bus, clock: Clock): DecisionProvider {
  return {
    listActive: () => store.decisions.listActive(new Date(clock.nowMs()).toISOString()),
    subscribe(onChange) {
      const subscription = bus.subscribe<DecisionChange>(TOPICS.decisions, () => onChange(), {
        group: `gateway-${process.pid}`,
      });
      return () => void subscription.unsubscribe();
    },
  };
}

export async function startRuntime(options: RuntimeOptions): Promise<Runtime> {
  const { config, dataDir, logger } = options;
  const clock = options.clock ?? systemClock;
  ensureWritableDataDir(dataDir);

  const store = await openStore(storeConfigOf(config, dataDir), { clock });
  const closers: (() => Promise<void>)[] = [() => store.close()];
  const closeAll = async () => {
    for (const close of closers.reverse())
      await close().catch((error) => logger.warn({ err: error }, 'close failed'));
  };
  try {
    const applied = await store.migrate();
    if (applied.length > 0) logger.info({ migrations: applied }, 'store migrated');

    const bus = new MemoryBus({
      onHandlerError: (error, message, group) =>
        logger.warn({ err: error, topic: message.topic, group }, 'handler failed'),
    });
    const closeBus = () => bus.close();
    closers.push(closeBus);
    const events = createEventSink({ store, bus, logger });
    closers.push(() => events.close());
    const deadLetters = createStoreDeadLetterSink({ store, logger: logger.child({ component: 'ingest' }) });
    closers.push(() => deadLetters.close());
    const key = pseudonymisationKey(dataDir, config.secrets.pseudonymisationKey);
    const ledger = await startLedger({ store, dataDir, config, pseudonymisationKey: key, clock, logger });
    // Closed right before the store: after the API and the gateway stopped writing.
    closers.splice(1, 0, () => ledger.close());
    const notices = startNotices({
      config,
      store,
      ledger,
      pseudonymisationKey: key,
      clock,
      logger: logger.child({ component: 'notices' }),
    });
    // Closed before the ledger and the store: a settling delivery still writes through them.
    closers.push(() => notices.close());

    const bootstrapOptions: { password?: string; clock: Clock } = { clock };
    const adminPassword = resolveSecret(config.secrets.adminPassword);
    if (adminPassword) bootstrapOptions.password = adminPassword;
    const bootstrap = await bootstrapAdmin(store, ledger, bootstrapOptions);
    const admin: AdminBootstrap = { created: bootstrap.created, username: bootstrap.username };
    if (bootstrap.created && !adminPassword && bootstrap.password) admin.oneTimePassword = bootstrap.password;
    await ensureCliToken(store, ledger, dataDir);
    const detection = config.detection.enabled ? await startDetection(config, bus, ledger, logger) : null;
    // Closed after the event sink (it still takes in the sink's last events), before the bus.
    if (detection) closers.splice(closers.indexOf(closeBus) + 1, 0, () => detection.close());
    const modeCatalogue = compileModes({ groups: config.modes.groups, modes: config.modes.definitions });
    const modes = new ModeService({ store, ledger, bus, clock, logger, catalogue: modeCatalogue });
    const stopModeTicker = modes.startTicker(config.modes.endCheckInterval);
    closers.push(async () => stopModeTicker());
    const playbooks = createPlaybooks({
      config,
      enabledByDefault: options.playbooksByDefault ?? false,
      store,
      ledger,
      bus,
      clock,
      logger: logger.child({ component: 'playbooks' }),
      modes,
      notifier: notices,
    });

    const metricsRegistry = new Registry();
    collectDefaultMetrics({ register: metricsRegistry });
    const delivery = startDelivery({
      config,
      dataDir,
      store,
      bus,
      deadLetters,
      metricsRegistry,
      logger: logger.child({ component: 'delivery' }),
      clock,
    });
    closers.push(() => delivery.close());

    let gateway: Gateway | null = null;
    let wafReloader: WafReloader | null = null;
    const virtualPatches = createVirtualPatchService({
      dataDir,
      ledger,
      clock,
      wafReloader: () => wafReloader,
    });
    const api = await createApiServer({
      store,
      ledger,
      bus,
      clock,
      logger: logger.child({ component: 'api' }),
      config: {
        requireTotpForAdmins: config.api.requireTotpForAdmins,
        sessionTtlMs: config.api.sessionTtl,
        secureCookies: config.api.secureCookies,
        loginRateLimit: {
          maxAttempts: config.api.loginRateLimit.maxAttempts,
          windowMs: config.api.loginRateLimit.window,
        },
        trustProxy: config.api.trustProxy,
      },
      pseudonymisationKey: key,
      version: VERSION,
      ingest: { shopWebhooks: shopWebhookSettings(config), delivery: deliveryWebhookSettings(config) },
      ...(config.entity === undefined ? {} : { entity: config.entity }),
      mail: notices.mail,
      partners: notices.partners,
      metricsRegistry,
      readiness: async () => ({
        store: await store.ping().then(
          () => true,
          () => false,
        ),
      }),
      modes,
      ...(playbooks ? { playbooks } : {}),
      virtualPatches,
      statusProviders: {
        gateway: () => (gateway ? { url: gatewayUrl, ...gateway.metrics } : null),
        eventSink: () => events.stats(),
        deadLetters: () => deadLetters.stats(),
      },
    });
    closers.push(() => api.close());
    const apiAddress = await listenOrExplain(
      () => api.listen({ host: config.api.host, port: options.apiPort ?? config.api.port }),
      config.api.port,
    );
    const apiUrl = apiAddress.replace('[::1]', 'localhost');

    let gatewayUrl: string | null = null;
    let waf: GatewayWaf | null = null;
    if (config.gateway.enabled) {
      const wafLogger = logger.child({ component: 'waf' });
      const wafWanted = config.waf.crs !== undefined && config.waf.mode !== 'Off';
      const collections = wafWanted
        ? await StoreWafCollections.open(store, { logger: wafLogger })
        : undefined;
      if (collections) closers.push(() => collections.close());
      waf = await createWafForGateway(config.waf, dataDir, wafLogger, {
        onMatchLine: (line, requestId) => wafLogger.warn({ requestId }, line),
        ...(collections ? { collections } : {}),
      });
      const loadedWaf = waf;
      if (loadedWaf) closers.push(() => loadedWaf.close());
      if (loadedWaf) wafReloader = () => loadedWaf.reload();
      const inspection = waf?.inspector;
      const base = gatewayOptionsOf(config, options);
      gateway = createGateway({
        ...base,
        eventSampleRate: config.gateway.events.sampleRate,
        publishEvent: (event) => events.push(event),
        decisions: storeDecisionProvider(store, bus, clock),
        modes: { ...base.modes, provider: storeModeProvider(store, bus, clock) },
        // Derived from the pseudonymisation key, so every gateway of a deployment accepts the same passes.
        challenge: {
          secret: deriveChallengeSecret(key),
          difficultyBits: config.modes.challenge.difficultyBits,
          passTtlMs: config.modes.challenge.passTtl,
        },
        ...(inspection ? { inspection } : {}),
        logger: logger.child({ component: 'gateway' }),
        clock,
      });
      const started = gateway;
      closers.push(() => started.close());
      registerGatewayMetrics(metricsRegistry, started, events);
      registerGatewayConnectionMetrics(metricsRegistry, started);
      const wafLoad = waf?.load;
      if (wafLoad) registerWafWorkerMetrics(metricsRegistry, wafLoad);
      const { port } = await listenOrExplain(() => started.listen(), config.gateway.port);
      gatewayUrl = `${config.gateway.tls ? 'https' : 'http'}://${config.gateway.host}:${port}`;
    }

    const flows = await startFlows({
      config,
      events,
      metricsRegistry,
      bestEffort: options.flowsBestEffort ?? false,
      logger: logger.child({ component: 'flows' }),
      clock,
    });
    if (flows) closers.push(() => flows.stop());

    const stopRetention = startRetention({
      store,
      logger,
      clock,
      rawEventsDays: config.retention.rawEventsDays,
      intervalMs: config.retention.purgeInterval,
    });
    closers.push(async () => stopRetention());
    if (config.entity !== undefined) {
      const stopReminders = startDeadlineReminders({
        store,
        clock,
        profile: config.entity,
        logger: logger.child({ component: 'incidents' }),
        mail: notices.mail,
        intervalMs: 60_000,
      });
      closers.push(async () => stopReminders());
    }

    if (playbooks) {
      playbooks.start();
      // Closed first: no run may start a write after the gateway, the API or the ledger closed.
      closers.push(() => playbooks.close());
    }

    writeServerInfo(dataDir, {
      apiUrl,
      gatewayUrl,
      pid: process.pid,
      startedAt: new Date(clock.nowMs()).toISOString(),
    });
    closers.push(async () => removeServerInfo(dataDir));

    const reloadWaf = async () => {
      const outcome = waf ? await waf.reload() : { ok: false as const, error: 'no WAF is configured' };
      // Logged in the background: the answer to the reload does not wait for the ledger.
      void ledger
        .commit({
          kind: 'waf.rules_reloaded',
          actor: 'system',
          write: async () => ({ id: `waf_${ulid(clock.nowMs())}`, ...outcome }),
        })
        .catch((error: unknown) =>
          logger.error({ err: error }, 'logging the WAF reload in the ledger failed'),
        );
      return outcome;
    };
    return {
      apiUrl,
      gatewayUrl,
      store,
      ledger,
      notices,
      bus,
      events,
      deadLetters,
      detection,
      playbooks,
      flows,
      delivery,
      admin,
      reloadWaf,
      close: closeAll,
    };
  } catch (error) {
    await closeAll();
    throw error;
  }
}

/** The detect stage as `detection:` configures it; a rule or indicator file that does not load is logged and skipped. */
async function startDetection(
  config: EnsuresecConfig,
  bus: Bus,
  ledger: Ledger,
  logger: Logger,
): Promise<RunningDetection> {
  const settings = config.detection;
  const detectLogger = logger.child({ component: 'detect' });
  const loaded = await loadDetectionPipeline({
    sigmaRules: settings.sigma.rules,
    maxKeysPerRule: settings.sigma.maxKeysPerRule,
    intelFiles: settings.intel.files,
    intelMinConfidence: settings.intel.minConfidence,
    detectors: settings.detectors,
    anomaly: settings.anomaly,
    groupWindowMs: settings.grouping.window,
    maxGroups: settings.grouping.maxGroups,
    maxEvidenceEvents: settings.grouping.maxEvidenceEvents,
  });
  for (const problem of loaded.problems) detectLogger.warn({ code: problem.code }, problem.text);
  detectLogger.info(
    { ...loaded.sigma, indicators: loaded.indicators, detectors: loaded.pipeline.detectorNames },
    'detection started',
  );
  return runDetection({ bus, ledger, pipeline: loaded.pipeline, logger: detectLogger });
}

/** The CLI's own admin token in the data directory, made again if missing or no longer valid. */
async function ensureCliToken(store: Store, ledger: Ledger, dataDir: string): Promise<void> {
  const existing = readCliToken(dataDir);
  if (existing) {
    const record = await store.tokens.getByHash(sha256Hex(existing));
    if (record && !record.revokedAt) return;
  }
  const admin = await store.users.getByName('admin');
  if (!admin) return;
  writeCliToken(dataDir, await createLocalAdminToken(ledger, admin.id));
}

async function listenOrExplain<T>(listen: () => Promise<T>, port: number): Promise<T> {
  try {
    return await listen();
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EADDRINUSE') {
      throw new EnsuresecError('port_in_use', { detail: `Port ${port} is taken.`, cause: error });
    }
    throw error;
  }
}
