/**
 * `ensuresec demo`: the demo shop on its own port, the Ensuresec runtime (API + gateway in
 * front of the shop) and the traffic simulator sending shoppers through the gateway.
 * The shop's business events enter the pipeline as SecurityEvents like any source's: signed
 * by `ensuresec/client` to `POST /api/v1/shop-events` when a shop webhook secret is configured
 * (as a real shop sends them), else handed straight to the event sink.
 */
import type { Logger } from 'pino';
import { join } from 'node:path';
import { createShopEventsClient, type ShopEvent, type ShopEventsClient } from '../client/index.js';
import { isDeliveryIncident, startDeliveryDemo } from '../demo/delivery/index.js';
import { createDemoShop } from '../demo/shop/index.js';
import type { BusinessEvent } from '../demo/shop/events.js';
import { createTrafficSimulator } from '../demo/simulator/index.js';
import { businessEventToSecurityEvent } from '../ingest/sources/shop/business-event.js';
import type { EventSink } from '../ingest/event-sink.js';
import type { EnsuresecConfig } from './config/schema.js';
import { startRuntime, type Runtime } from './runtime.js';
import { shopWebhookSecrets } from './shop-webhooks.js';

export interface DemoOptions {
  config: EnsuresecConfig;
  dataDir: string;
  logger: Logger;
  /** Overrides for tests (0 = ephemeral). */
  ports?: { api?: number; gateway?: number; shop?: number };
  simulatorDurationMs?: number;
}

export interface Demo {
  runtime: Runtime;
  shopUrl: string;
  /** The dashboard (served by the API server at `/`). */
  dashboardUrl: string;
  shopAdmin: { email: string; password: string };
  close(): Promise<void>;
}

/** The demo's event as the client sends it: only flat attributes travel in a shop event. */
function toShopEvent(event: BusinessEvent): ShopEvent {
  const attributes: NonNullable<ShopEvent['attributes']> = {};
  for (const [name, value] of Object.entries(event.attributes)) {
    if (
      value === null ||
      typeof value === 'string' ||
      typeof value === 'number' ||
      typeof value === 'boolean'
    )
      attributes[name] = value;
  }
  return { ...event, attributes };
}

export async function startDemo(options: DemoOptions): Promise<Demo> {
  const { config, logger } = options;
  let sink: EventSink | null = null;
  let client: ShopEventsClient | null = null;
  const signingSecret = shopWebhookSecrets(config)[0];
  const bridgeLogger = logger.child({ component: 'demo-shop-events' });
  const bridge = (event: BusinessEvent) => {
    if (!client) {
      sink?.push(businessEventToSecurityEvent(event, 'demo-shop', Date.now()));
      return;
    }
    void client.send(toShopEvent(event)).then((result) => {
      if (!result.ok)
        bridgeLogger.warn({ code: result.error.code, type: event.type }, 'shop event not delivered');
    });
  };
  const shop = await createDemoShop({
    host: config.demo.shopHost,
    port: options.ports?.shop ?? config.demo.shopPort,
    dataDir: join(options.dataDir, 'demo-shop'),
    vulnerable: config.demo.vulnerable,
    logger: logger.child({ component: 'demo-shop' }),
    onBusinessEvent: bridge,
  });
  const { url: shopUrl } = await shop.listen();
  let runtime: Runtime;
  try {
    const runtimeOptions: Parameters<typeof startRuntime>[0] = {
      config,
      dataDir: options.dataDir,
      logger,
      upstream: shopUrl,
      playbooksByDefault: true,
      flowsBestEffort: true,
    };
    if (options.ports?.api !== undefined) runtimeOptions.apiPort = options.ports.api;
    if (options.ports?.gateway !== undefined) runtimeOptions.gatewayPort = options.ports.gateway;
    runtime = await startRuntime(runtimeOptions);
  } catch (error) {
    await shop.close();
    throw error;
  }
  sink = runtime.events;
  if (signingSecret !== undefined) {
    client = createShopEventsClient({
      url: runtime.apiUrl,
      secret: signingSecret,
      retries: 2,
      backoffMs: 100,
    });
  }

  const simulatorConfig = config.demo.simulator;
  const simulator =
    simulatorConfig.enabled && runtime.gatewayUrl
      ? createTrafficSimulator({
          baseUrl: runtime.gatewayUrl,
          shoppers: simulatorConfig.shoppers,
          ratePerSecond: simulatorConfig.ratePerSecond,
          scenarios: simulatorConfig.scenarios.filter((name) => !isDeliveryIncident(name)) as Parameters<
            typeof createTrafficSimulator
          >[0]['scenarios'],
          ...(options.simulatorDurationMs === undefined ? {} : { durationMs: options.simulatorDurationMs }),
          ...(runtime.flows ? { flowCollector: runtime.flows.address } : {}),
          logger: logger.child({ component: 'simulator' }),
        })
      : null;
  simulator?.start();
  const delivery = simulatorConfig.enabled
    ? await startDeliveryDemo({
        config,
        runtime,
        logger: logger.child({ component: 'delivery-simulator' }),
        incidents: simulatorConfig.scenarios.filter(isDeliveryIncident),
      })
    : null;

  return {
    runtime,
    shopUrl,
    dashboardUrl: `${runtime.apiUrl}/`,
    shopAdmin: shop.admin,
    async close() {
      await simulator?.stop();
      await delivery?.stop();
      await runtime.close();
      await shop.close();
    },
  };
}
