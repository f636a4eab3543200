import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { EnsuresecError } from '../core/errors.js';
import { resolveOptions } from '../gateway/options.js';
import { parseConfig } from './config/load.js';
import { gatewayOptionsOf } from './gateway-options.js';

const yaml = readFileSync(join(import.meta.dirname, 'fixtures/gateway-connections.yaml'), 'utf8');

describe('gateway connection settings from ensuresec.yaml', () => {
  it('carries the caps, the slow-attack timeouts and TLS to the gateway', () => {
    const options = gatewayOptionsOf(parseConfig(yaml), {});
    expect(options.limits?.keepAliveTimeoutMs).toBe(7_000);
    expect(options.tls).toEqual({
      certificates: [{ certFile: '/etc/ensuresec/tls/shop.crt', keyFile: '/etc/ensuresec/tls/shop.key' }],
      reloadCheckMs: 2_000,
      minVersion: 'TLSv1.3',
    });
    const resolved = resolveOptions(options).connections;
    expect(resolved).toMatchObject({
      maxPerClient: 64,
      bodyIdleTimeoutMs: 4_000,
      minBodyBytesPerSecond: 1_024,
      flowEventIntervalMs: 10_000,
    });
    // Not set: the gateway's default, 500 new connections per second.
    expect(resolved.newPerMs).toBe(0.5);
  });

  it('leaves the caps off behind a trusted proxy unless they are set', () => {
    const options = gatewayOptionsOf(parseConfig('gateway:\n  trustProxy: true\n'), {});
    expect(options.tls).toBeUndefined();
    const resolved = resolveOptions(options).connections;
    expect(resolved.maxPerClient).toBe(0);
    expect(resolved.newPerMs).toBe(0);
  });

  it('refuses a zero timeout, naming the key', () => {
    try {
      parseConfig('gateway:\n  connections:\n    bodyIdleTimeout: 0\n');
      expect.unreachable('a zero timeout was accepted');
    } catch (error) {
      expect(error).toBeInstanceOf(EnsuresecError);
      expect(JSON.stringify((error as EnsuresecError).details)).toContain(
        'gateway.connections.bodyIdleTimeout',
      );
    }
  });
});
