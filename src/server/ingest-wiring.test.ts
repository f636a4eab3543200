/**
 * How the composition root wires ingest: shop webhook secrets from the configuration, the
 * store-backed dead-letter sink behind the API, and retention of dead letters.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../core/clock.js';
import { EnsuresecError } from '../core/errors.js';
import { ulid } from '../core/ids.js';
import { openStore } from '../store/index.js';
import { parseConfig } from './config/load.js';
import { readCliToken } from './data-dir.js';
import { purgeExpiredEvents } from './retention.js';
import { startRuntime, type Runtime } from './runtime.js';
import { shopWebhookSecrets, shopWebhookSettings } from './shop-webhooks.js';

const NEW = `whsec_${Buffer.alloc(32, 1).toString('base64')}`;
const OLD = `whsec_${Buffer.alloc(24, 2).toString('base64')}`;

describe('shop webhook secrets from the configuration', () => {
  it('reads several space-separated secrets from the default environment variable', () => {
    const env = { ENSURESEC_SHOP_WEBHOOK_SECRET: ` ${NEW}  ${OLD}\n` };
    const config = parseConfig('ingest:\n  shopWebhooks:\n    tolerance: 2m\n');
    expect(shopWebhookSecrets(config, env)).toEqual([NEW, OLD]);
    expect(shopWebhookSettings(config, env)).toEqual({
      keys: [Buffer.alloc(32, 1), Buffer.alloc(24, 2)],
      toleranceMs: 120_000,
    });
    expect(shopWebhookSettings(parseConfig(''), {})).toEqual({ keys: [], toleranceMs: 300_000 });
  });

  it('refuses an unusable secret with config_invalid naming the reference, never the secret', () => {
    const weak = `whsec_${Buffer.alloc(16, 5).toString('base64')}`;
    const config = parseConfig('ingest:\n  shopWebhooks:\n    secrets: ["env:SHOP_SECRET"]\n');
    let caught: unknown;
    try {
      shopWebhookSettings(config, { SHOP_SECRET: weak });
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(EnsuresecError);
    expect((caught as EnsuresecError).code).toBe('config_invalid');
    expect((caught as EnsuresecError).message).toContain('env:SHOP_SECRET');
    expect((caught as EnsuresecError).message).not.toContain(weak.slice(6));
    expect(() => parseConfig('ingest:\n  shopWebhooks:\n    secrets: ["whsec_literal"]\n')).toThrow();
  });
});

describe('dead letters in the runtime', () => {
  let dataDir: string;
  let runtime: Runtime;
  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'ensuresec-ingest-wiring-'));
    const config = parseConfig('api:\n  port: 0\ngateway:\n  enabled: false\ndetection:\n  enabled: false\n');
    runtime = await startRuntime({ config, dataDir, logger: pino({ level: 'silent' }) });
  });
  afterAll(async () => {
    await runtime?.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('lists through the API what a source put in the runtime sink', async () => {
    runtime.deadLetters.put({
      source: 'edge-syslog',
      reason: 'syslog_bad_priority',
      input: '<999>oops',
      location: 'udp 10.0.0.5:514',
      time: new Date().toISOString(),
    });
    await runtime.deadLetters.flush();
    const response = await fetch(`${runtime.apiUrl}/api/v1/dead-letters?source=edge-syslog`, {
      headers: { authorization: `Bearer ${readCliToken(dataDir)}` },
    });
    expect(response.status).toBe(200);
    expect(((await response.json()) as { items: unknown[] }).items).toEqual([
      expect.objectContaining({
        reason: 'syslog_bad_priority',
        input: '<999>oops',
        location: 'udp 10.0.0.5:514',
      }),
    ]);
  });
});

describe('retention of dead letters', () => {
  it('purges dead letters with the raw events', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ensuresec-retention-letters-'));
    const store = await openStore({ dialect: 'sqlite', path: join(dir, 'ensuresec.db') });
    try {
      await store.migrate();
      const clock = new ManualClock(Date.parse('2026-11-26T12:00:00Z'));
      const letter = (daysAgo: number) => {
        const timeMs = clock.nowMs() - daysAgo * 86_400_000;
        return {
          id: `dlt_${ulid(timeMs)}`,
          source: 's',
          reason: 'bad_time',
          input: 'x',
          time: new Date(timeMs).toISOString(),
        };
      };
      await store.deadLetters.insertMany([letter(31), letter(29)]);
      await purgeExpiredEvents({ store, clock, rawEventsDays: 30, logger: pino({ level: 'silent' }) });
      expect(await store.deadLetters.count()).toBe(1);
    } finally {
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
