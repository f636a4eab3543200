/** The simulator's clients connect from their own loopback addresses, as distinct shop visitors do. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestShop, type TestShop } from '../shop/test-kit.js';
import { attackerAddress, shopperAddress, SourceAddresses } from './addresses.js';
import { createTrafficSimulator } from './index.js';

describe('simulator source addresses', { timeout: 30_000 }, () => {
  let shop: TestShop;
  let addressesWork = false;

  beforeAll(async () => {
    shop = await startTestShop();
    const probe = await SourceAddresses.probe();
    addressesWork = probe.enabled;
    await probe.close();
  });

  afterAll(async () => {
    await shop?.stop();
  });

  it('names households and attackers in separate loopback ranges', () => {
    expect(shopperAddress(0)).toBe('127.10.0.1');
    expect(shopperAddress(249)).toBe('127.10.249.1');
    expect(attackerAddress(0, 0)).toBe('127.66.1.1');
    expect(attackerAddress(2, 9)).toBe('127.66.3.2');
  });

  it('sends shoppers and a credential-stuffing bot from different addresses', async (context) => {
    // Linux binds all of 127.0.0.0/8; elsewhere every client shares 127.0.0.1 (and this is moot).
    if (!addressesWork) context.skip();
    const simulator = createTrafficSimulator({
      baseUrl: shop.url,
      shoppers: 3,
      ratePerSecond: 20,
      thinkTimeMs: 50,
      scenarios: ['credential-stuffing'],
      scenarioStaggerMs: 0,
      durationMs: 5_000,
    });
    simulator.start();
    await simulator.done;
    const failedLogins = shop.events.filter((e) => e.type === 'login' && e.outcome === 'failure');
    const botAddresses = new Set(
      failedLogins.filter((e) => e.email?.endsWith('@mail.example')).map((e) => e.clientIp),
    );
    expect([...botAddresses]).toEqual([attackerAddress(0, 0)]);
    const shopperAddresses = new Set(
      shop.events.filter((e) => !e.email?.endsWith('@mail.example')).map((e) => e.clientIp),
    );
    expect(shopperAddresses.size).toBeGreaterThan(1);
    for (const address of shopperAddresses) expect(address).toMatch(/^127\.10\.\d+\.\d+$/);
  });
});
