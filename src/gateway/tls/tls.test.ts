import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { request as httpsRequest } from 'node:https';
import { connect as netConnect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TLSSocket } from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clientHelloRecords } from '../testing/client-hello.js';
import {
  eventually,
  makeDecision,
  mutableProvider,
  startGateway,
  startUpstream,
  type TestGateway,
  type Upstream,
} from '../testing/harness.js';
import { isJa4 } from './ja4.js';

const dir = mkdtempSync(join(tmpdir(), 'ensuresec-tls-'));

/** A self-signed certificate for `names` (openssl, as an operator would make one). */
function makeCertificate(
  prefix: string,
  names: string[],
): { certFile: string; keyFile: string; pem: string } {
  const certFile = join(dir, `${prefix}.crt`);
  const keyFile = join(dir, `${prefix}.key`);
  execFileSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:P-256',
      '-nodes',
      '-keyout',
      keyFile,
      '-out',
      certFile,
      '-days',
      '2',
      '-subj',
      `/CN=${names[0]}`,
      '-addext',
      `subjectAltName=${names.map((n) => `DNS:${n}`).join(',')}`,
    ],
    { stdio: 'ignore' },
  );
  return { certFile, keyFile, pem: readFileSync(certFile, 'utf8') };
}

interface TlsAnswer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
  peerName: string;
}

function httpsGet(
  port: number,
  options: { servername: string; ca: string[]; ciphers?: string; path?: string },
): Promise<TlsAnswer> {
  return new Promise((resolve, reject) => {
    const req = httpsRequest(
      {
        host: '127.0.0.1',
        port,
        path: options.path ?? '/hello',
        servername: options.servername,
        ca: options.ca,
        agent: false,
        ...(options.ciphers ? { ciphers: options.ciphers, maxVersion: 'TLSv1.2' as const } : {}),
      },
      (res) => {
        const peer = (res.socket as TLSSocket).getPeerCertificate();
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (body += chunk));
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            body,
            peerName: String(peer.subject?.CN ?? ''),
          }),
        );
      },
    );
    req.on('error', reject);
    req.end();
  });
}

let upstream: Upstream;
let gw: TestGateway;
const main = makeCertificate('main', ['localhost']);
const shop = makeCertificate('shop', ['shop.test', '*.shop.test']);
const decisions = mutableProvider();
const ca = [main.pem, shop.pem];

beforeAll(async () => {
  upstream = await startUpstream();
  gw = await startGateway(upstream.url, {
    tls: {
      certificates: [
        { certFile: main.certFile, keyFile: main.keyFile },
        { certFile: shop.certFile, keyFile: shop.keyFile },
      ],
      reloadCheckMs: 100,
    },
    decisions: decisions.provider,
    connections: { handshakeTimeoutMs: 2_000 },
  });
});

afterAll(async () => {
  await gw.gateway.close();
  await upstream.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('TLS termination', () => {
  it('proxies a request over TLS and tells the shop it was https', async () => {
    const answer = await httpsGet(gw.port, { servername: 'localhost', ca });
    expect(answer.status).toBe(200);
    const echoed = JSON.parse(answer.body) as { headers: Record<string, string> };
    expect(echoed.headers['x-forwarded-proto']).toBe('https');
    expect(answer.peerName).toBe('localhost');
  });

  it('chooses the certificate by SNI, wildcards included', async () => {
    expect((await httpsGet(gw.port, { servername: 'shop.test', ca })).peerName).toBe('shop.test');
    expect((await httpsGet(gw.port, { servername: 'www.shop.test', ca })).peerName).toBe('shop.test');
  });

  it('attaches the JA4 fingerprint of the ClientHello to the events', async () => {
    const before = gw.events.length;
    await httpsGet(gw.port, { servername: 'localhost', ca, path: '/ja4-probe' });
    await eventually(() => gw.events.slice(before).some((e) => e.http?.path === '/ja4-probe'));
    const event = gw.events.slice(before).find((e) => e.http?.path === '/ja4-probe');
    const ja4 = event?.client?.ja4 ?? '';
    expect(isJa4(ja4)).toBe(true);
    // node's client: TLS 1.3, SNI sent (a name), no ALPN.
    expect(ja4.slice(0, 4)).toBe('t13d');
    expect(ja4.slice(8, 10)).toBe('00');
  });

  it('survives malformed and hostile ClientHellos and keeps serving', async () => {
    const hostile = [
      Buffer.from('GET / HTTP/1.1\r\nHost: x\r\n\r\n'),
      Buffer.from([0x16, 0x03, 0x01, 0xff, 0xff, 0x01, 0xff, 0xff, 0xff]),
      (() => {
        const hello = clientHelloRecords({
          cipherSuites: [0x1301],
          extensions: [0x0000, 0x0010],
          serverName: 'x',
          alpn: ['h2'],
        });
        hello.writeUInt16BE(0xffff, hello.length - 8);
        return hello;
      })(),
    ];
    const before = gw.gateway.metrics.connections.tls.invalidHellos;
    for (const bytes of hostile) {
      const socket = netConnect(gw.port, '127.0.0.1');
      socket.on('error', () => undefined);
      socket.write(bytes);
      await new Promise((resolve) => socket.once('close', resolve));
    }
    expect(
      gw.gateway.metrics.connections.tls.invalidHellos + gw.gateway.metrics.connections.tls.failures,
    ).toBeGreaterThan(before);
    expect((await httpsGet(gw.port, { servername: 'localhost', ca })).status).toBe(200);
  });
});

describe('JA4 decisions', () => {
  async function fingerprintOf(options: { ciphers?: string }): Promise<string> {
    const path = `/fp-${Math.random().toString(36).slice(2)}`;
    await httpsGet(gw.port, { servername: 'localhost', ca, path, ...options });
    await eventually(() => gw.events.some((e) => e.http?.path === path));
    return gw.events.find((e) => e.http?.path === path)?.client?.ja4 ?? '';
  }

  it('bans a fingerprint and only that fingerprint', async () => {
    const banned = await fingerprintOf({});
    const other = await fingerprintOf({ ciphers: 'ECDHE-ECDSA-AES128-GCM-SHA256' });
    expect(other).not.toBe(banned);
    decisions.decisions = [makeDecision({ action: 'ban', scope: 'ja4', value: banned })];
    await gw.gateway.refreshDecisions();
    const refused = await httpsGet(gw.port, { servername: 'localhost', ca });
    expect(refused.status).toBe(403);
    expect(JSON.parse(refused.body)).toMatchObject({ error: { code: 'banned' } });
    const allowed = await httpsGet(gw.port, {
      servername: 'localhost',
      ca,
      ciphers: 'ECDHE-ECDSA-AES128-GCM-SHA256',
    });
    expect(allowed.status).toBe(200);
    decisions.decisions = [];
    await gw.gateway.refreshDecisions();
  });

  it('challenges a fingerprint', async () => {
    const fingerprint = await fingerprintOf({});
    decisions.decisions = [makeDecision({ action: 'challenge', scope: 'ja4', value: fingerprint })];
    await gw.gateway.refreshDecisions();
    const challenged = await httpsGet(gw.port, { servername: 'localhost', ca });
    // Without challenge options the gateway marks challenged clients; with them it serves the page.
    expect(challenged.headers['x-ensuresec-challenge']).toBe('1');
    const other = await httpsGet(gw.port, {
      servername: 'localhost',
      ca,
      ciphers: 'ECDHE-ECDSA-AES128-GCM-SHA256',
    });
    expect(other.headers['x-ensuresec-challenge']).toBeUndefined();
    decisions.decisions = [];
    await gw.gateway.refreshDecisions();
  });
});

describe('certificate loading', () => {
  it('refuses to start with a key that does not fit its certificate, naming the file', async () => {
    const other = makeCertificate('other', ['other.test']);
    await expect(
      startGateway(upstream.url, {
        tls: { certificates: [{ certFile: shop.certFile, keyFile: other.keyFile }] },
      }),
    ).rejects.toMatchObject({ code: 'config_invalid', message: expect.stringContaining('other.key') });
  });
});

describe('certificate reload', () => {
  it('serves a renewed certificate without a restart, and keeps the old one when the new files are invalid', async () => {
    const renewed = makeCertificate('renewed', ['localhost']);
    const cas = [...ca, renewed.pem];
    const fingerprintOfPeer = async (): Promise<string> => {
      return new Promise((resolve, reject) => {
        const req = httpsRequest(
          { host: '127.0.0.1', port: gw.port, path: '/', servername: 'localhost', ca: cas, agent: false },
          (res) => {
            resolve((res.socket as TLSSocket).getPeerCertificate().fingerprint256);
            res.resume();
          },
        );
        req.on('error', reject);
        req.end();
      });
    };
    const original = await fingerprintOfPeer();
    const reloadsBefore = gw.gateway.metrics.connections.certificates?.reloads ?? 0;
    writeFileSync(main.keyFile, readFileSync(renewed.keyFile));
    writeFileSync(main.certFile, readFileSync(renewed.certFile));
    await eventually(
      () => (gw.gateway.metrics.connections.certificates?.reloads ?? 0) > reloadsBefore,
      10_000,
    );
    const current = await fingerprintOfPeer();
    expect(current).not.toBe(original);

    const errorsBefore = gw.gateway.metrics.connections.certificates?.reloadErrors ?? 0;
    writeFileSync(
      main.certFile,
      '-----BEGIN CERTIFICATE-----\nnot a certificate\n-----END CERTIFICATE-----\n',
    );
    await eventually(
      () => (gw.gateway.metrics.connections.certificates?.reloadErrors ?? 0) > errorsBefore,
      10_000,
    );
    expect(gw.gateway.metrics.connections.certificates?.lastError).toMatch(/main\.crt/);
    expect(await fingerprintOfPeer()).toBe(current);
  }, 30_000);
});
