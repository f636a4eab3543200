import { readFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Agent, request } from 'undici';
import { ID_PATTERN } from '../core/ids.js';
import {
  eventually,
  rawRequest,
  sleep,
  startGateway,
  startUpstream,
  type TestGateway,
  type Upstream,
} from './testing/harness.js';

const fixture = (name: string): string =>
  readFileSync(new URL(`./fixtures/${name}`, import.meta.url), 'utf8');

describe('gateway proxy', () => {
  let upstream: Upstream;
  let gw: TestGateway;

  beforeAll(async () => {
    upstream = await startUpstream();
    gw = await startGateway(upstream.url, { limits: { maxBodyBytes: 1024, maxHeaderBytes: 2048 } });
  });
  afterAll(async () => {
    await gw.gateway.close();
    await upstream.close();
  });

  it('passes every method through with its body', async () => {
    for (const method of ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']) {
      const hasBody = method !== 'GET' && method !== 'OPTIONS';
      const res = await request(`${gw.base}/echo?m=${method}`, {
        method,
        body: hasBody ? `body-${method}` : null,
      });
      const echoed = (await res.body.json()) as { method: string; url: string; body: string };
      expect(res.statusCode).toBe(200);
      expect(echoed.method).toBe(method);
      expect(echoed.url).toBe(`/echo?m=${method}`);
      expect(echoed.body).toBe(hasBody ? `body-${method}` : '');
    }
    const head = await request(`${gw.base}/echo`, { method: 'HEAD' });
    await head.body.dump();
    expect(head.statusCode).toBe(200);
    expect(head.headers['content-type']).toBe('application/json');
  });

  it('streams a slow chunked download: the first chunk arrives before the upstream finishes', async () => {
    const startedMs = Date.now();
    const res = await request(`${gw.base}/slow-download`);
    const reader = res.body[Symbol.asyncIterator]();
    const first = await reader.next();
    const firstAtMs = Date.now() - startedMs;
    expect(String(first.value)).toBe('first-chunk;');
    expect(firstAtMs).toBeLessThan(300);
    let rest = '';
    for (let next = await reader.next(); !next.done; next = await reader.next()) rest += String(next.value);
    expect(rest).toBe('second-chunk');
    expect(Date.now() - startedMs).toBeGreaterThanOrEqual(380);
  });

  it('streams a chunked upload: the upstream sees the first chunk before the client sends the rest', async () => {
    const req = httpRequest({ host: '127.0.0.1', port: gw.port, method: 'POST', path: '/upload' });
    const answer = new Promise<string>((resolve, reject) => {
      req.on('response', (res) => {
        let text = '';
        res.on('data', (chunk: Buffer) => (text += String(chunk)));
        res.on('end', () => resolve(text));
      });
      req.on('error', reject);
    });
    req.write('a'.repeat(100));
    const seenFirst = await Promise.race([
      upstream.firstUploadChunk.then(() => true),
      sleep(2_000).then(() => false),
    ]);
    expect(seenFirst).toBe(true);
    req.end('b'.repeat(100));
    expect(JSON.parse(await answer)).toEqual({ bytes: 200 });
  });

  it('removes hop-by-hop headers and sets X-Forwarded-* on the way in', async () => {
    const answer = await rawRequest(gw.port, fixture('hop-by-hop-request.http').replaceAll('\n', '\r\n'));
    const body = JSON.parse(answer.slice(answer.indexOf('\r\n\r\n') + 4)) as {
      headers: Record<string, string>;
    };
    expect(body.headers['x-secret']).toBeUndefined();
    expect(body.headers['keep-alive']).toBeUndefined();
    expect(body.headers['proxy-authorization']).toBeUndefined();
    expect(body.headers['te']).toBeUndefined();
    expect(body.headers['x-end-to-end']).toBe('kept');
    expect(body.headers['x-forwarded-for']).toBe('127.0.0.1');
    expect(body.headers['x-forwarded-proto']).toBe('http');
    expect(body.headers['x-forwarded-host']).toBe('shop.example');
    expect(body.headers['host']).toBe('shop.example');
  });

  it('removes hop-by-hop headers on the way out and echoes its own X-Request-Id', async () => {
    const res = await request(`${gw.base}/hop`);
    await res.body.dump();
    expect(res.headers['x-secret-hop']).toBeUndefined();
    expect(res.headers['proxy-authenticate']).toBeUndefined();
    expect(res.headers['x-end-to-end']).toBe('kept');
    expect(res.headers['x-request-id']).toMatch(ID_PATTERN);
  });

  it('replaces an incoming X-Request-Id when the proxy is not trusted', async () => {
    const res = await request(`${gw.base}/echo`, {
      headers: { 'x-request-id': 'client-chosen-1', 'x-forwarded-for': '6.6.6.6' },
    });
    const body = (await res.body.json()) as { headers: Record<string, string> };
    const id = res.headers['x-request-id'] as string;
    expect(id).toMatch(/^req_/);
    expect(body.headers['x-request-id']).toBe(id);
    expect(body.headers['x-forwarded-for']).toBe('127.0.0.1');
  });

  it('keeps a valid incoming X-Request-Id and X-Forwarded-For when trustProxy is on', async () => {
    const trusted = await startGateway(upstream.url, { trustProxy: true });
    try {
      const res = await request(`${trusted.base}/echo`, {
        headers: {
          'x-request-id': 'lb-1234',
          'x-forwarded-for': '198.51.100.7',
          'x-forwarded-proto': 'https',
        },
      });
      const body = (await res.body.json()) as { headers: Record<string, string> };
      expect(res.headers['x-request-id']).toBe('lb-1234');
      expect(body.headers['x-forwarded-for']).toBe('198.51.100.7, 127.0.0.1');
      expect(body.headers['x-forwarded-proto']).toBe('https');
      await eventually(() => trusted.events.length === 1);
      expect(trusted.events.at(-1)?.client?.ip).toBe('198.51.100.7');
      const bad = await request(`${trusted.base}/echo`, {
        headers: { 'x-request-id': 'bad id with spaces' },
      });
      await bad.body.dump();
      expect(bad.headers['x-request-id']).toMatch(/^req_/);
    } finally {
      await trusted.gateway.close();
    }
  });

  it('keeps client connections alive across requests', async () => {
    const agent = new Agent({ connections: 1 });
    try {
      const ports = new Set<number>();
      for (let i = 0; i < 3; i++) {
        const res = await request(`${gw.base}/echo?keepalive`, { dispatcher: agent });
        await res.body.dump();
        const count = i + 1;
        await eventually(() => gw.events.filter((e) => e.http?.path === '/echo?keepalive').length === count);
        ports.add(gw.events.at(-1)?.client?.port ?? -1);
      }
      expect(ports.size).toBe(1);
    } finally {
      await agent.close();
    }
  });

  it('answers 413 when Content-Length is over the limit, before reading the body', async () => {
    const res = await request(`${gw.base}/echo`, { method: 'POST', body: 'x'.repeat(2000) });
    const body = (await res.body.json()) as { error: { code: string; requestId: string } };
    expect(res.statusCode).toBe(413);
    expect(body.error.code).toBe('payload_too_large');
    expect(body.error.requestId).toBe(res.headers['x-request-id']);
  });

  it('answers 413 when a chunked body grows over the limit', async () => {
    const answer = await rawRequest(gw.port, fixture('chunked-over-limit.http').replaceAll('\n', '\r\n'));
    expect(answer).toMatch(/^HTTP\/1\.1 413 /);
    expect(answer).toContain('"payload_too_large"');
  });

  it('answers 431 when the headers are too large', async () => {
    const answer = await rawRequest(
      gw.port,
      `GET / HTTP/1.1\r\nHost: a\r\nX-Big: ${'h'.repeat(4000)}\r\n\r\n`,
    );
    expect(answer).toMatch(/^HTTP\/1\.1 431 /);
    expect(answer).toContain('"headers_too_large"');
  });

  it('answers 400 to malformed requests and keeps serving', async () => {
    for (const name of ['malformed-request-line.http', 'malformed-header.http']) {
      const answer = await rawRequest(gw.port, fixture(name).replaceAll('\n', '\r\n'));
      expect(answer).toMatch(/^HTTP\/1\.1 400 /);
      expect(answer).toContain('"bad_request"');
    }
    const res = await request(`${gw.base}/echo`);
    await res.body.dump();
    expect(res.statusCode).toBe(200);
    expect(gw.events.some((event) => event.http?.outcome === 'rejected' && event.http.status === 400)).toBe(
      true,
    );
  });
});

describe('gateway upstream faults', () => {
  it('answers 502 upstream_unavailable with an event when the upstream is down', async () => {
    const down = await startUpstream();
    const url = down.url;
    await down.close();
    const gw = await startGateway(url, { limits: { upstreamTimeoutMs: 2_000 } });
    try {
      const res = await request(`${gw.base}/anything`);
      const body = (await res.body.json()) as { error: { code: string } };
      expect(res.statusCode).toBe(502);
      expect(body.error.code).toBe('upstream_unavailable');
      expect(gw.events.at(-1)?.http).toMatchObject({ outcome: 'upstream_error', status: 502 });
    } finally {
      await gw.gateway.close();
    }
  });

  it('answers 504 upstream_timeout when the upstream does not answer in time', async () => {
    const upstream = await startUpstream();
    const gw = await startGateway(upstream.url, { limits: { upstreamTimeoutMs: 300 } });
    try {
      const startedMs = Date.now();
      const res = await request(`${gw.base}/hang`);
      const body = (await res.body.json()) as { error: { code: string } };
      expect(res.statusCode).toBe(504);
      expect(body.error.code).toBe('upstream_timeout');
      expect(Date.now() - startedMs).toBeLessThan(2_000);
      expect(gw.events.at(-1)?.http?.outcome).toBe('upstream_error');
    } finally {
      await gw.gateway.close();
      await upstream.close();
    }
  });
});
