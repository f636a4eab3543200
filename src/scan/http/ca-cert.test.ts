/**
 * `--ca-cert`: a staging shop with a self-signed certificate is refused by default (the
 * certificate is checked, the failure recorded), and scanned once its certificate is trusted.
 */
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createScope } from '../scope.js';
import { ScanHttpClient } from './client.js';

const TLS = join(import.meta.dirname, '../checks/passive/fixtures/tls');
const CERT = readFileSync(join(TLS, 'self-signed.crt'), 'utf8');
const OTHER = readFileSync(join(TLS, 'other-host.crt'), 'utf8');

describe('scan HTTP client and a private certificate', () => {
  let server: Server;
  let url: string;
  beforeAll(async () => {
    server = createServer({ cert: CERT, key: readFileSync(join(TLS, 'self-signed.key')) }, (_req, res) =>
      res.end('staging shop'),
    );
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `https://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  });
  afterAll(async () => new Promise<void>((resolve) => server.close(() => resolve())));

  const client = (caCertificates?: string[]) =>
    new ScanHttpClient({
      scope: createScope(new URL(url)),
      maxRequests: 5,
      ratePerSecond: 0,
      concurrency: 1,
      timeoutMs: 2000,
      maxResponseBytes: 1024,
      ...(caCertificates ? { caCertificates } : {}),
    });

  it('refuses an untrusted certificate', async () => {
    const res = await client().send({ url });
    expect(res.ok).toBe(false);
  });

  it('refuses it when another certificate is trusted', async () => {
    const res = await client([OTHER]).send({ url });
    expect(res.ok).toBe(false);
  });

  it('reads the page once its certificate is trusted', async () => {
    const res = await client([CERT]).send({ url });
    expect(res.ok && res.status).toBe(200);
    expect(res.ok && res.body).toBe('staging shop');
  });
});
