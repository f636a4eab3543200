/**
 * The TLS check against real local TLS servers (node:https on loopback) with certificates from
 * fixtures/tls (made with openssl: self-signed for localhost, self-signed for another host, and
 * one that expired in 2020). TLS 1.0 is enabled on one server at OpenSSL security level 0.
 */
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import type { SecureVersion } from 'node:tls';
import { afterEach, describe, expect, it } from 'vitest';
import { runScan } from '../../scanner.js';

const FIXTURES = join(import.meta.dirname, 'fixtures', 'tls');
const servers: Server[] = [];

async function tlsServer(name: string, options: { minVersion?: SecureVersion; ciphers?: string } = {}) {
  const server = createServer(
    {
      key: readFileSync(join(FIXTURES, `${name}.key`)),
      cert: readFileSync(join(FIXTURES, `${name}.crt`)),
      ...options,
    },
    (_req, res) => res.writeHead(200, { 'content-type': 'text/html' }).end('<p>shop</p>'),
  );
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `https://127.0.0.1:${(server.address() as AddressInfo).port}/`;
}

const scanTls = (target: string) =>
  runScan({ target, active: false, checks: ['tls'], maxRequests: 20, ratePerSecond: 0 });

afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => new Promise((resolve) => s.close(resolve))));
});

describe('tls check', { timeout: 30_000 }, () => {
  it('reports a self-signed certificate and records the versions offered (1.2 and 1.3 only by default)', async () => {
    const report = await scanTls(await tlsServer('self-signed'));
    const issues = report.findings.map((f) => f.data?.['issue']);
    expect(issues).toContain('certificate-self-signed');
    expect(issues).not.toContain('certificate-expired');
    expect(issues).not.toContain('certificate-name-mismatch');
    expect(issues).not.toContain('old-protocols');
    expect((report.records['tls'] as { versions: string[] }).versions).toEqual(['TLSv1.2', 'TLSv1.3']);
    expect(report.checks.find((c) => c.checkId === 'tls')?.status).toBe('tested');
  });

  it('reports an expired certificate', async () => {
    const report = await scanTls(await tlsServer('expired'));
    expect(report.findings.map((f) => f.data?.['issue'])).toContain('certificate-expired');
  });

  it('reports a certificate for another host name', async () => {
    const report = await scanTls(await tlsServer('other-host'));
    const mismatch = report.findings.find((f) => f.data?.['issue'] === 'certificate-name-mismatch');
    expect(mismatch?.description).toContain('127.0.0.1');
  });

  it('reports TLS 1.0 when the server accepts it', async () => {
    const target = await tlsServer('self-signed', { minVersion: 'TLSv1', ciphers: 'DEFAULT@SECLEVEL=0' });
    const report = await scanTls(target);
    expect((report.records['tls'] as { versions: string[] }).versions).toContain('TLSv1');
    expect(report.findings.find((f) => f.data?.['issue'] === 'old-protocols')?.title).toContain('TLSv1');
  });

  it('is not tested on a plain http target, so transport security never passes for it', async () => {
    const report = await runScan({
      target: 'http://127.0.0.1:9/',
      active: false,
      checks: ['tls'],
      maxRequests: 5,
    });
    expect(report.checks.find((c) => c.checkId === 'tls')?.status).toBe('not-tested');
    expect(report.classes.find((c) => c.attackClass === 'transport-security')?.result).not.toBe('pass');
  });
});
