/**
 * The TLS check against real local TLS servers (node:https on loopback) with certificates from
 * fixtures/tls (made with openssl: self-signed for localhost, self-signed for another host, and
 * one that expired in 2020). TLS 1.0 is enabled on one server at OpenSSL security level 0, and
 * a NULL-encryption suite on another: Node 20's OpenSSL 3 has no RC4, 3DES or DES suites to
 * serve (nor to offer), so NULL is the weak suite a real server here can negotiate. The
 * hand-built ClientHello for RC4/3DES/DES is refused by the real servers; its positive case
 * is a plain TCP server answering with a recorded ServerHello (fixtures/tls/legacy-answers.json),
 * because no server here can pick 3DES.
 */
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:https';
import { createServer as createTcpServer, type AddressInfo, type Server as TcpServer } from 'node:net';
import { join } from 'node:path';
import type { SecureVersion } from 'node:tls';
import { afterEach, describe, expect, it } from 'vitest';
import { runScan } from '../../scanner.js';
import legacyAnswers from './fixtures/tls/legacy-answers.json' with { type: 'json' };
import { LEGACY_SUITES, legacyClientHello, readServerAnswer } from './tls-hello.js';
import { canOfferLegacyCiphers } from './tls.js';

const FIXTURES = join(import.meta.dirname, 'fixtures', 'tls');
const servers: (Server | TcpServer)[] = [];

/** A TCP server answering every connection's first bytes with `answerHex`, then closing. */
async function recordedAnswerServer(answerHex: string): Promise<string> {
  const server = createTcpServer((socket) => {
    socket.once('data', () => socket.end(Buffer.from(answerHex, 'hex')));
    socket.on('error', () => undefined);
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `https://127.0.0.1:${(server.address() as AddressInfo).port}/`;
}

async function tlsServer(
  name: string,
  options: { minVersion?: SecureVersion; maxVersion?: SecureVersion; ciphers?: string } = {},
) {
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
  });

  it('reports a weak cipher when the server accepts one (NULL encryption)', async () => {
    const target = await tlsServer('self-signed', { ciphers: 'ECDHE-ECDSA-NULL-SHA@SECLEVEL=0' });
    const report = await scanTls(target);
    const weak = report.findings.find((f) => f.data?.['issue'] === 'weak-cipher');
    expect(weak?.title).toBe('The server accepts the weak cipher ECDHE-ECDSA-NULL-SHA');
    expect(report.checks.find((c) => c.checkId === 'tls')?.status).toBe('tested');
  });

  it('finds no weak cipher on a default server, which refuses the RC4/3DES/DES ClientHello too', async () => {
    const target = await tlsServer('self-signed');
    const report = await scanTls(target);
    expect(report.findings.map((f) => f.data?.['issue'])).not.toContain('weak-cipher');
    const check = report.checks.find((c) => c.checkId === 'tls');
    expect(check?.status).toBe('tested');
    // 4 versions, the weak handshake, the legacy ClientHello where OpenSSL lacks those suites, the certificate.
    expect(check?.tested).toBe(canOfferLegacyCiphers() ? 6 : 7);
    expect(report.notChecked.map((n) => n.what).join()).not.toContain('RC4');
  });

  it('reports 3DES from the ServerHello answering the legacy ClientHello', async (context) => {
    if (canOfferLegacyCiphers()) context.skip('this OpenSSL offers 3DES in a real handshake');
    const report = await scanTls(await recordedAnswerServer(legacyAnswers.serverHelloDesCbc3Sha));
    const weak = report.findings.find((f) => f.data?.['issue'] === 'weak-cipher');
    expect(weak?.title).toBe('The server accepts the weak cipher DES-CBC3-SHA');
  });

  it('leaves the check partial, not passed, when the legacy ClientHello gets no clear answer', async (context) => {
    if (canOfferLegacyCiphers()) context.skip('this OpenSSL offers RC4/3DES/DES in a real handshake');
    const target = await recordedAnswerServer(legacyAnswers.alertDecodeError);
    const report = await scanTls(target);
    expect(report.findings.map((f) => f.data?.['issue'])).not.toContain('weak-cipher');
    const check = report.checks.find((c) => c.checkId === 'tls');
    expect(check?.status).toBe('partial');
    expect(check?.reason).toContain(
      'RC4, 3DES and DES suites gave no clear answer (the server answered with TLS alert 50)',
    );
    expect(report.notChecked.map((n) => n.what)).toContain(
      `RC4, 3DES and DES cipher suites on ${new URL(target).host}`,
    );
    expect(report.classes.find((c) => c.attackClass === 'transport-security')?.checks).toContainEqual({
      checkId: 'tls',
      status: 'partial',
    });
  });

  it('builds a ClientHello offering only the legacy suites, and reads answers byte by byte', () => {
    const hello = legacyClientHello('shop.example');
    expect([hello[0], hello[5], hello.readUInt16BE(9)]).toEqual([0x16, 1, 0x0303]); // handshake, ClientHello, TLS 1.2
    const suitesAt = 5 + 4 + 2 + 32 + 1;
    const suites = hello.readUInt16BE(suitesAt) / 2;
    expect(suites).toBe(LEGACY_SUITES.size);
    expect(hello.includes(Buffer.from('shop.example'))).toBe(true);
    expect(legacyClientHello(null).includes(Buffer.from('shop.example'))).toBe(false);
    const serverHello = Buffer.from(legacyAnswers.serverHelloDesCbc3Sha, 'hex');
    expect(readServerAnswer(serverHello.subarray(0, 40))).toBeNull(); // not all there yet
    expect(readServerAnswer(serverHello)).toEqual({ outcome: 'accepted', suite: 'DES-CBC3-SHA' });
    expect(readServerAnswer(Buffer.from('15030300020228', 'hex'))).toEqual({ outcome: 'refused' });
    expect(readServerAnswer(Buffer.from('HTTP/1.1 400 Bad'))).toMatchObject({ outcome: 'inconclusive' });
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
