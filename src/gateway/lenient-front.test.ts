import { readFileSync } from 'node:fs';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { InspectionContext, Inspector } from './inspection.js';
import {
  rawRequest,
  startGateway,
  startUpstream,
  type TestGateway,
  type Upstream,
} from './testing/harness.js';

const fixture = (name: string): Buffer =>
  readFileSync(new URL(`./fixtures/lenient/${name}`, import.meta.url));

interface Seen {
  method: string;
  url: string;
  protocol: string | undefined;
  httpVersion: string | undefined;
  body?: string;
  answeredStatus?: number;
}

/** Records every phase; blocks requests whose method is BLOCKME or that carry `x-attack`. */
function recordingInspector(seen: Seen[]): Inspector {
  const entry = (ctx: InspectionContext): Seen => ctx.vars['seen'] as Seen;
  return {
    onRequestHeaders(ctx) {
      const record: Seen = {
        method: ctx.method,
        url: ctx.url,
        protocol: ctx.protocol,
        httpVersion: ctx.httpVersion,
      };
      ctx.vars['seen'] = record;
      seen.push(record);
      ctx.findings = { ruleIds: ['900100'] };
      if (ctx.method === 'BLOCKME' || ctx.headers['x-attack'] !== undefined)
        return { action: 'block', status: 406, ruleIds: ['900100'], message: 'test rule' };
      return undefined;
    },
    onRequestBody(ctx, body) {
      entry(ctx).body = body.toString('latin1');
      return undefined;
    },
    onResponseHeaders(ctx) {
      entry(ctx).answeredStatus = ctx.response?.status;
      ctx.findings = { ruleIds: ['900100', '900200'], blockedBy: '900200', detectionOnly: true };
      return undefined;
    },
  };
}

const statusOf = (answer: string): number => Number(/^HTTP\/1\.1 (\d{3}) /.exec(answer)?.[1] ?? 0);

describe('lenient front', () => {
  let upstream: Upstream;
  let gw: TestGateway;
  const seen: Seen[] = [];

  beforeAll(async () => {
    upstream = await startUpstream();
    gw = await startGateway(upstream.url, { inspection: recordingInspector(seen) });
  });
  afterAll(async () => {
    await gw.gateway.close();
    await upstream.close();
  });

  const cases: Array<{ file: string; status: number; method: string; url: string; protocol?: string }> = [
    { file: 'unknown-method.http', status: 501, method: 'TEST', url: '/test?q=1', protocol: 'HTTP/1.1' },
    { file: 'pipe-prefixed-method.http', status: 501, method: '|GET', url: '/get', protocol: 'HTTP/1.1' },
    { file: 'non-token-method.http', status: 400, method: 'G(ET', url: '/', protocol: 'HTTP/1.1' },
    { file: 'http-4.0.http', status: 505, method: 'GET', url: '/', protocol: 'HTTP/4.0' },
    {
      file: 'non-ascii-target.http',
      status: 400,
      method: 'GET',
      url: '/get?ssrf=\u00e2\u0091\u00a0\u00e2\u0091\u00a1',
    },
    { file: 'te-and-cl.http', status: 400, method: 'POST', url: '/anything', protocol: 'HTTP/1.1' },
    { file: 'connect.http', status: 501, method: 'CONNECT', url: 'www.example.org:443' },
    { file: 'connect-no-port.http', status: 400, method: 'CONNECT', url: 'www.example.org' },
  ];

  for (const { file, status, method, url, protocol } of cases) {
    it(`inspects ${file} that node's parser refuses, then answers ${status} without forwarding it`, async () => {
      const forwardedBefore = upstream.seen.length;
      const answer = await rawRequest(gw.port, fixture(file));
      expect(statusOf(answer)).toBe(status);
      expect(answer).toMatch(/\r\nconnection: close\r\n/);
      const record = seen.at(-1);
      expect(record).toMatchObject({ method, url, answeredStatus: status });
      if (protocol !== undefined) expect(record?.protocol).toBe(protocol);
      expect(upstream.seen.length).toBe(forwardedBefore);
      const event = gw.events.at(-1);
      expect(event?.http).toMatchObject({ method, status, outcome: 'rejected' });
      expect(event?.http?.inspection).toEqual({
        ruleIds: ['900100', '900200'],
        blockedBy: '900200',
        detectionOnly: true,
      });
    });
  }

  it('hands the chunked body of a Transfer-Encoding + Content-Length request to the body phase', async () => {
    await rawRequest(gw.port, fixture('te-and-cl.http'));
    expect(seen.at(-1)?.body).toBe('foo=bar');
    expect(gw.events.at(-1)?.labels).toMatchObject({ parserError: expect.stringMatching(/^HPE_/) });
  });

  it('answers with the block response when the inspector blocks a refused request', async () => {
    const answer = await rawRequest(gw.port, 'BLOCKME / HTTP/1.1\r\nHost: localhost\r\n\r\n');
    expect(statusOf(answer)).toBe(406);
    expect(answer).toContain('"request_blocked"');
    expect(gw.events.at(-1)?.http?.outcome).toBe('blocked');
    expect(gw.events.at(-1)?.labels).toMatchObject({ ruleIds: '900100' });
  });

  it('judges a refused request that follows a forwarded one on the same connection', async () => {
    const answer = await rawRequest(gw.port, fixture('pipelined-unknown-second.http'));
    expect(answer).toMatch(/^HTTP\/1\.1 200 /);
    expect(answer).toMatch(/HTTP\/1\.1 501 /);
    expect(seen.at(-1)).toMatchObject({ method: 'FOO', url: '/second' });
  });

  it('forwards an absolute-form target in origin-form after inspecting the full target', async () => {
    const answer = await rawRequest(
      gw.port,
      'GET http://localhost/echo?a=1 HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n',
    );
    expect(statusOf(answer)).toBe(200);
    expect(upstream.seen.at(-1)?.url).toBe('/echo?a=1');
    expect(seen.at(-1)?.url).toBe('http://localhost/echo?a=1');
    expect(statusOf(await rawRequest(gw.port, fixture('absolute-form.http')))).toBe(200);
    expect(upstream.seen.at(-1)?.url).toBe('/');
  });

  const refusedAfterInspection: Array<[string, number]> = [
    ['absolute-form-host-mismatch.http', 400],
    ['fragment.http', 400],
    ['http-0.9.http', 400],
    ['host-percent.http', 400],
  ];
  for (const [file, status] of refusedAfterInspection) {
    it(`inspects ${file} that node accepts, then refuses it with ${status}`, async () => {
      const forwardedBefore = upstream.seen.length;
      const answer = await rawRequest(gw.port, fixture(file));
      expect(statusOf(answer)).toBe(status);
      expect(upstream.seen.length).toBe(forwardedBefore);
      expect(seen.at(-1)?.answeredStatus).toBe(status);
      expect(gw.events.at(-1)?.labels?.['refused']).toBeTruthy();
    });
  }

  it('keeps serving normal requests', async () => {
    const res = await request(`${gw.base}/echo?after=lenient`);
    await res.body.dump();
    expect(res.statusCode).toBe(200);
  });
});

describe('lenient front without an inspector', () => {
  let upstream: Upstream;
  let gw: TestGateway;
  beforeAll(async () => {
    upstream = await startUpstream();
    gw = await startGateway(upstream.url);
  });
  afterAll(async () => {
    await gw.gateway.close();
    await upstream.close();
  });

  it('still answers unknown methods with 501, CONNECT with 501 and HTTP/4.0 with 505', async () => {
    expect(statusOf(await rawRequest(gw.port, fixture('unknown-method.http')))).toBe(501);
    expect(statusOf(await rawRequest(gw.port, fixture('connect.http')))).toBe(501);
    expect(statusOf(await rawRequest(gw.port, fixture('http-4.0.http')))).toBe(505);
    expect(gw.events.at(-1)?.http).toMatchObject({ status: 505, outcome: 'rejected' });
    expect(upstream.seen.length).toBe(0);
  });
});
