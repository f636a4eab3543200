/**
 * Test support for the demo shop's tests (and the simulator's): start a shop on an
 * ephemeral loopback port with a temp data dir, capture its business events, and open
 * clients. Not used at run time.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ShopClient } from '../simulator/http-client.js';
import { registerAccount } from '../simulator/shop-flows.js';
import type { BusinessEvent } from './events.js';
import { createDemoShop, type DemoShop, type DemoShopOptions } from './index.js';

export interface TestShop {
  shop: DemoShop;
  url: string;
  events: BusinessEvent[];
  client(userAgent?: string): ShopClient;
  /** Registers a fresh customer (logged in afterwards) and returns its client and email. */
  customer(label: string): Promise<{ client: ShopClient; email: string; password: string }>;
  stop(): Promise<void>;
}

let counter = 0;

export async function startTestShop(options: DemoShopOptions = {}): Promise<TestShop> {
  const dataDir = mkdtempSync(join(tmpdir(), 'ensuresec-demo-shop-'));
  const events: BusinessEvent[] = [];
  const shop = await createDemoShop({
    port: 0,
    dataDir,
    adminPassword: 'admin-password-for-tests',
    onBusinessEvent: (event) => events.push(event),
    ...options,
  });
  const { url } = await shop.listen();
  const client = (userAgent?: string) => new ShopClient(url, userAgent ? { userAgent } : {});
  return {
    shop,
    url,
    events,
    client,
    async customer(label) {
      const c = client();
      const email = `${label}-${++counter}-${Date.now()}@example.test`;
      const password = 'correct horse battery';
      const res = await registerAccount(c, { email, password, name: label });
      if (res.status !== 303) throw new Error(`registration failed with ${res.status}`);
      return { client: c, email, password };
    },
    async stop() {
      await shop.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
