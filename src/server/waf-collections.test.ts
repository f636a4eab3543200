/**
 * The WAF's persistent collections in the store (composition root), on a real SQLite file:
 * initcol state survives a restart, is shared through the store, and a failed write is retried.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createWafEngine, loadRuleText, type PersistentCollections } from '../gateway/waf/index.js';
import { openStore } from '../store/index.js';
import type { Store } from '../store/store.js';
import { StoreWafCollections } from './waf-collections.js';

const rules = readFileSync(join(import.meta.dirname, 'fixtures/initcol-counter.conf'), 'utf8');
const logger = pino({ level: 'silent' });

/** The status the engine gives one request from `ip` (403 when rule 3 denies it). */
function statusFor(persistent: PersistentCollections, ip: string): number {
  const engine = createWafEngine(loadRuleText(rules, 'initcol-counter.conf'), { persistent });
  const tx = engine.newTransaction({
    remoteAddr: ip,
    method: 'GET',
    uri: '/',
    protocol: 'HTTP/1.1',
    headers: [],
  });
  const stop = tx.processRequestHeaders();
  tx.processLogging();
  return stop?.status ?? 200;
}

describe('WAF collections in the store', () => {
  let dir: string;
  let store: Store;

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'ensuresec-wafcol-'));
    store = await openStore({ dialect: 'sqlite', path: join(dir, 'store.db') });
    await store.migrate();
  });
  afterEach(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('keeps a client counter across a restart of the gateway', async () => {
    const first = await StoreWafCollections.open(store, { logger });
    expect(statusFor(first.withTimeout(3600), '198.51.100.7')).toBe(200);
    expect(statusFor(first.withTimeout(3600), '198.51.100.7')).toBe(200);
    await first.close();

    const second = await StoreWafCollections.open(store, { logger });
    expect(statusFor(second.withTimeout(3600), '198.51.100.7')).toBe(403);
    expect(statusFor(second.withTimeout(3600), '203.0.113.9')).toBe(200);
    await second.close();
  });

  it('shares state between two gateways of one store once written and refreshed', async () => {
    const a = await StoreWafCollections.open(store, { logger });
    const b = await StoreWafCollections.open(store, { logger });
    statusFor(a.withTimeout(3600), '198.51.100.7');
    statusFor(a.withTimeout(3600), '198.51.100.7');
    await a.flush();
    await b.refresh();
    expect(statusFor(b.withTimeout(3600), '198.51.100.7')).toBe(403);
    await a.close();
    await b.close();
  });

  it('does not bring back records that expired', async () => {
    let now = 1_000_000;
    const first = await StoreWafCollections.open(store, { logger, nowMs: () => now });
    statusFor(first.withTimeout(60), '198.51.100.7');
    statusFor(first.withTimeout(60), '198.51.100.7');
    await first.close();
    now += 61_000;
    const second = await StoreWafCollections.open(store, { logger, nowMs: () => now });
    expect(second.size).toBe(0);
    expect(statusFor(second.withTimeout(60), '198.51.100.7')).toBe(200);
    await second.close();
  });

  it('keeps changes whose write failed and saves them on the next flush', async () => {
    // The one stand-in here: a store whose first write fails, as a dropped connection would.
    let failures = 1;
    const flaky: Store = Object.create(store) as Store;
    Object.defineProperty(flaky, 'wafCollections', {
      value: {
        ...store.wafCollections,
        upsertMany: async (records: Parameters<Store['wafCollections']['upsertMany']>[0]) => {
          if (failures-- > 0) throw new Error('connection reset');
          await store.wafCollections.upsertMany(records);
        },
      },
    });
    const collections = await StoreWafCollections.open(flaky, { logger });
    statusFor(collections.withTimeout(3600), '198.51.100.7');
    await collections.flush();
    expect(await store.wafCollections.listLive(Date.now())).toHaveLength(0);
    await collections.flush();
    const saved = await store.wafCollections.listLive(Date.now());
    expect(saved.map((record) => [record.collection, record.key, record.variables['hits']])).toEqual([
      ['IP', '198.51.100.7', '1'],
    ]);
    await collections.close();
  });
});
