/**
 * No byte sequence crashes the gateway or the WAF engine: random and mutated requests
 * (broken encodings, huge headers, deep JSON, malformed multipart and XML) over raw sockets,
 * then the gateway must still answer a normal request. Bounded in count and time.
 */
import { readFileSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createWafEngine, loadRuleFiles } from '../../src/gateway/waf/index.js';
import { REPO_ROOT } from '../helpers/cli.js';
import { startTestRuntime, type TestRuntime } from '../helpers/runtime.js';
import { startEchoUpstream } from '../helpers/upstream.js';

const SEEDS = readFileSync(join(import.meta.dirname, 'fixtures', 'fuzz-seeds.txt'), 'utf8')
  .split('\n')
  .filter((line) => line.length > 0)
  .map((line) => Buffer.from(line.replaceAll('\\r', '\r').replaceAll('\\n', '\n'), 'latin1'));

/** A small deterministic generator, so a failure can be replayed. */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state * 1_664_525 + 1_013_904_223) >>> 0;
    return state / 2 ** 32;
  };
}

function mutate(input: Buffer, next: () => number): Buffer {
  const bytes = Buffer.from(input);
  const edits = 1 + Math.floor(next() * 8);
  let out = bytes;
  for (let i = 0; i < edits; i++) {
    const at = Math.floor(next() * out.length);
    const kind = Math.floor(next() * 4);
    if (kind === 0) out[at] = Math.floor(next() * 256);
    else if (kind === 1)
      out = Buffer.concat([
        out.subarray(0, at),
        Buffer.alloc(1 + Math.floor(next() * 64), Math.floor(next() * 256)),
        out.subarray(at),
      ]);
    else if (kind === 2)
      out = Buffer.concat([out.subarray(0, at), out.subarray(at + 1 + Math.floor(next() * 16))]);
    else
      out = Buffer.concat([
        out.subarray(0, at),
        Buffer.from('%uFFFF%%\u0000<script>\'"--/*', 'latin1'),
        out.subarray(at),
      ]);
  }
  return out;
}

/** Seeds for the lenient front: requests node's parser refuses (`\\r`, `\\n`, `\\t`, `\\xHH` escapes). */
const LENIENT_SEEDS = readFileSync(join(import.meta.dirname, 'fixtures', 'lenient-seeds.txt'), 'utf8')
  .split('\n')
  .filter((line) => line.length > 0)
  .map((line) =>
    Buffer.from(
      line
        .replaceAll('\\r', '\r')
        .replaceAll('\\n', '\n')
        .replaceAll('\\t', '\t')
        .replace(/\\x([0-9a-f]{2})/gi, (_, hex: string) => String.fromCharCode(parseInt(hex, 16))),
      'latin1',
    ),
  );

/**
 * Sends the bytes; resolves with what the gateway answered before it closed (or 2 s passed).
 * `halfClose` ends the client's side at once, as a fuzzer does; without it the socket stays
 * open so node can answer a request it accepted.
 */
function sendRaw(port: number, bytes: Buffer, halfClose = true): Promise<string> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    const chunks: Buffer[] = [];
    const done = () => {
      socket.destroy();
      resolve(Buffer.concat(chunks).toString('latin1'));
    };
    socket.setTimeout(2000, done);
    socket.on('error', done);
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    socket.on('close', done);
    if (halfClose) socket.end(bytes);
    else socket.write(bytes);
  });
}

describe('gateway and WAF under malformed input', { timeout: 120_000 }, () => {
  let upstream: Awaited<ReturnType<typeof startEchoUpstream>>;
  let env: TestRuntime;

  beforeAll(async () => {
    upstream = await startEchoUpstream();
    // Indented keys continue the helper's `gateway:` block: no rate limit, or the flood ends in 429s.
    env = await startTestRuntime(
      upstream.url,
      `  rateLimits:\n    perClient: null\nwaf:\n  crs: ${join(REPO_ROOT, '../shared/crs')}\n`,
    );
  });
  afterAll(async () => {
    await env?.close();
    await upstream?.close();
  });

  it('keeps answering after 400 random and mutated requests', async () => {
    const port = Number(new URL(env.runtime.gatewayUrl as string).port);
    const next = random(20261126);
    const inputs: Buffer[] = [];
    for (let i = 0; i < 400; i++) {
      if (i % 10 === 0)
        inputs.push(
          Buffer.from(Array.from({ length: 1 + Math.floor(next() * 4096) }, () => Math.floor(next() * 256))),
        );
      else inputs.push(mutate(SEEDS[i % SEEDS.length] as Buffer, next));
    }
    inputs.push(
      Buffer.from(`GET / HTTP/1.1\r\nHost: localhost\r\nX-Big: ${'a'.repeat(64 * 1024)}\r\n\r\n`, 'latin1'),
    );
    inputs.push(
      Buffer.from(
        `POST / HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: 20000\r\n\r\n${'['.repeat(10_000)}${']'.repeat(10_000)}`,
        'latin1',
      ),
    );
    for (let i = 0; i < inputs.length; i += 8) {
      await Promise.all(inputs.slice(i, i + 8).map((input) => sendRaw(port, input)));
    }
    const response = await request(`${env.runtime.gatewayUrl}/products?q=tea`, {
      headers: { 'user-agent': 'Mozilla/5.0 test' },
    });
    await response.body.dump();
    expect(response.statusCode).toBe(200);
    expect((await request(`${env.runtime.apiUrl}/healthz`)).statusCode).toBe(200);
  });

  it('answers every request node refuses with a clean status after inspection', async () => {
    const port = Number(new URL(env.runtime.gatewayUrl as string).port);
    for (const seed of LENIENT_SEEDS) {
      const answer = await sendRaw(port, seed, false);
      const statuses = [...answer.matchAll(/^HTTP\/1\.1 (\d{3}) /gm)].map((match) => Number(match[1]));
      expect(statuses.length, seed.toString('latin1')).toBeGreaterThan(0);
      for (const status of statuses)
        expect([200, 400, 403, 501, 505], seed.toString('latin1')).toContain(status);
    }
  });

  it('keeps answering after 400 mutated requests that take the lenient path', async () => {
    const port = Number(new URL(env.runtime.gatewayUrl as string).port);
    const next = random(20261127);
    const inputs = Array.from({ length: 400 }, (_, i) =>
      mutate(LENIENT_SEEDS[i % LENIENT_SEEDS.length] as Buffer, next),
    );
    for (let i = 0; i < inputs.length; i += 8) {
      const answers = await Promise.all(inputs.slice(i, i + 8).map((input) => sendRaw(port, input)));
      // Never an internal error: a malformed request is the client's mistake.
      for (const answer of answers) expect(answer).not.toMatch(/^HTTP\/1\.1 500 /m);
    }
    const response = await request(`${env.runtime.gatewayUrl}/products?q=tea`, {
      headers: { 'user-agent': 'Mozilla/5.0 test' },
    });
    await response.body.dump();
    expect(response.statusCode).toBe(200);
  });
});

describe('WAF engine under malformed bodies', { timeout: 120_000 }, () => {
  it('never throws on mutated JSON, multipart, XML and form bodies in any phase', () => {
    const crs = join(REPO_ROOT, '../shared/crs');
    const engine = createWafEngine(
      loadRuleFiles([join(crs, 'crs-setup.conf.example'), join(crs, 'rules', '*.conf')]),
    );
    const next = random(42);
    const bodies: Array<[string, Buffer]> = [
      ['application/json', Buffer.from('{"a":{"b":[1,2,{"c":"\\u0000"}]},"d":"x"}')],
      [
        'multipart/form-data; boundary=XX',
        Buffer.from(
          '--XX\r\nContent-Disposition: form-data; name="f"; filename="a.php"\r\n\r\n<?php ?>\r\n--XX--\r\n',
        ),
      ],
      ['text/xml', Buffer.from('<a x="1"><b>text</b></a>')],
      ['application/x-www-form-urlencoded', Buffer.from('a=1&b=%zz&c=%u0041&&=x')],
    ];
    let processed = 0;
    for (let i = 0; i < 400; i++) {
      const [type, seed] = bodies[i % bodies.length] as [string, Buffer];
      const body = mutate(seed, next);
      const tx = engine.newTransaction({
        remoteAddr: '127.0.0.1',
        method: 'POST',
        uri: `/submit?q=${body.subarray(0, 16).toString('latin1')}`,
        protocol: 'HTTP/1.1',
        headers: [
          ['Host', 'localhost'],
          ['Content-Type', type],
          ['Content-Length', String(body.length)],
        ],
      });
      tx.processRequestHeaders();
      tx.processRequestBody(body);
      tx.processResponseHeaders({ status: 200, headers: [['Content-Type', 'text/html']] });
      tx.processResponseBody(body);
      expect(tx.processLogging().engineMode).toBe('On');
      processed++;
    }
    expect(processed).toBe(400);
  });
});
