import { once } from 'node:events';
import { createServer, request as httpRequest, type Server } from 'node:http';
import { connect, type AddressInfo, type Socket } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { securityEventSchema, type SecurityEvent } from '../../core/records/security-event.js';
import type { GatewayOptions } from '../options.js';
import {
  eventually,
  sleep,
  startGateway,
  startUpstream,
  type TestGateway,
  type Upstream,
} from '../testing/harness.js';

/** A connection from a chosen loopback address, so one "attacker" and one "customer" differ by address. */
function connectFrom(port: number, localAddress: string): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = connect({ port, host: '127.0.0.1', localAddress }, () => resolve(socket));
    socket.on('error', reject);
  });
}

/** Resolves when the socket closes; true if the server closed it before `withinMs`. */
async function closedWithin(socket: Socket, withinMs: number): Promise<boolean> {
  if (socket.destroyed) return true;
  const timer = sleep(withinMs).then(() => false);
  return Promise.race([once(socket, 'close').then(() => true), timer]);
}

function getFrom(port: number, localAddress: string, path = '/ok'): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: '127.0.0.1', port, path, localAddress, agent: false }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('error', reject);
    req.end();
  });
}

const flows = (events: SecurityEvent[], state: string, ip?: string): SecurityEvent[] =>
  events.filter(
    (e) => e.kind === 'flow' && e.flow?.state === state && (ip === undefined || e.flow.srcIp === ip),
  );

let upstream: Upstream;
let big: Server;
let bigUrl: string;
const gateways: TestGateway[] = [];

async function gateway(options: Partial<GatewayOptions>): Promise<TestGateway> {
  const gw = await startGateway(options.upstream ?? upstream.url, options);
  gateways.push(gw);
  return gw;
}

beforeAll(async () => {
  upstream = await startUpstream();
  // A 1 GiB answer, streamed as the client takes it: far more than loopback's socket buffers
  // (tcp_rmem reaches 32 MiB) hold, so a client that reads nothing stalls the send.
  const chunk = Buffer.alloc(1024 * 1024, 120);
  big = createServer((_req, res) => {
    res.writeHead(200, { 'content-length': String(1024 * chunk.length) });
    let sent = 0;
    res.on('close', () => (sent = 1024));
    const pump = (): void => {
      while (sent < 1024) {
        sent++;
        if (!res.write(chunk)) return void res.once('drain', pump);
      }
      res.end();
    };
    pump();
  });
  big.listen(0, '127.0.0.1');
  await once(big, 'listening');
  bigUrl = `http://127.0.0.1:${(big.address() as AddressInfo).port}`;
});

afterEach(async () => {
  for (const gw of gateways.splice(0)) await gw.gateway.close();
});

afterAll(async () => {
  await upstream.close();
  big.closeAllConnections();
  big.close();
});

describe('connection caps', () => {
  it('refuses connections over the per-client cap and keeps serving other clients', async () => {
    const gw = await gateway({ connections: { maxPerClient: 3 } });
    const held = await Promise.all([1, 2, 3].map(() => connectFrom(gw.port, '127.0.0.2')));
    await eventually(() => gw.gateway.metrics.connections.active >= 3);
    const fourth = await connectFrom(gw.port, '127.0.0.2');
    expect(await closedWithin(fourth, 5_000)).toBe(true);
    expect(await getFrom(gw.port, '127.0.0.3')).toBe(200);
    expect(gw.gateway.metrics.connections.refused.concurrent).toBe(1);
    const [event] = flows(gw.events, 'connection_cap', '127.0.0.2');
    expect(event).toMatchObject({
      source: { type: 'gateway' },
      flow: { protocol: 'tcp', dstPort: gw.port, packets: 0 },
      labels: { reason: 'concurrent', closes: '1' },
    });
    expect(securityEventSchema.safeParse(event).success).toBe(true);
    const top = gw.gateway.metrics.connections.topClients[0];
    expect(top).toMatchObject({ ip: '127.0.0.2', concurrent: 3, refused: 1 });
    held.forEach((socket) => socket.destroy());
  });

  it('caps new connections per second, and reports a burst of refusals as few events', async () => {
    const gw = await gateway({
      connections: { newPerSecondPerClient: 2, newBurstPerClient: 2, flowEventIntervalMs: 60_000 },
    });
    const sockets = await Promise.all(Array.from({ length: 12 }, () => connectFrom(gw.port, '127.0.0.4')));
    const closed = await Promise.all(sockets.map((s) => closedWithin(s, 2_000)));
    expect(closed.filter(Boolean).length).toBeGreaterThanOrEqual(9);
    expect(gw.gateway.metrics.connections.refused.newRate).toBeGreaterThanOrEqual(9);
    // One event stands for the burst; the others are counted, not published.
    expect(flows(gw.events, 'connection_cap', '127.0.0.4')).toHaveLength(1);
    expect(gw.gateway.metrics.connections.flowEvents.suppressed).toBeGreaterThanOrEqual(8);
    expect(await getFrom(gw.port, '127.0.0.5')).toBe(200);
    sockets.forEach((socket) => socket.destroy());
  });
});

describe('slow attacks', () => {
  it('closes a connection that never sends a byte (slow headers)', async () => {
    const gw = await gateway({ limits: { headersTimeoutMs: 300 }, connections: { sweepIntervalMs: 50 } });
    const socket = await connectFrom(gw.port, '127.0.0.6');
    expect(await closedWithin(socket, 5_000)).toBe(true);
    await eventually(() => flows(gw.events, 'slow_headers', '127.0.0.6').length === 1);
    expect(flows(gw.events, 'slow_headers')[0]?.labels).toMatchObject({ reason: 'first-byte' });
  });

  it('reports headers that trickle in too slowly (slowloris), answered 408 by the parser', async () => {
    const gw = await gateway({ limits: { headersTimeoutMs: 400 } });
    const socket = await connectFrom(gw.port, '127.0.0.7');
    socket.write('GET / HTTP/1.1\r\nHost: x\r\n');
    const timer = setInterval(() => socket.writable && socket.write('X-a: b\r\n'), 100);
    let answer = '';
    socket.on('data', (d: Buffer) => (answer += d.toString()));
    expect(await closedWithin(socket, 5_000)).toBe(true);
    clearInterval(timer);
    expect(answer).toMatch(/^HTTP\/1\.1 408/);
    await eventually(() => flows(gw.events, 'slow_headers', '127.0.0.7').length === 1);
    expect(flows(gw.events, 'slow_headers', '127.0.0.7')[0]?.labels).toMatchObject({ reason: 'headers' });
  });

  it('closes a body that stops arriving (R-U-Dead-Yet idle)', async () => {
    const gw = await gateway({
      connections: { bodyIdleTimeoutMs: 400, sweepIntervalMs: 50, minBodyBytesPerSecond: 0 },
    });
    const socket = await connectFrom(gw.port, '127.0.0.8');
    socket.write('POST /upload HTTP/1.1\r\nHost: x\r\nContent-Length: 1000\r\n\r\n0123456789');
    expect(await closedWithin(socket, 5_000)).toBe(true);
    await eventually(() => flows(gw.events, 'slow_body', '127.0.0.8').length === 1);
    const event = flows(gw.events, 'slow_body', '127.0.0.8')[0];
    expect(event?.labels).toMatchObject({ reason: 'idle' });
    expect(event?.flow?.bytes).toBeGreaterThan(40);
    expect(gw.gateway.metrics.connections.closed.slow_body).toBe(1);
  });

  it('closes a body sent below the minimum rate, and lets a fast one through', async () => {
    const gw = await gateway({
      connections: { minBodyBytesPerSecond: 1_000, bodyRateGraceMs: 300, sweepIntervalMs: 50 },
    });
    const socket = await connectFrom(gw.port, '127.0.0.9');
    socket.write('POST /upload HTTP/1.1\r\nHost: x\r\nContent-Length: 1000\r\n\r\n');
    const timer = setInterval(() => socket.writable && socket.write('a'), 50);
    expect(await closedWithin(socket, 5_000)).toBe(true);
    clearInterval(timer);
    await eventually(() => flows(gw.events, 'slow_body', '127.0.0.9').length === 1);
    expect(flows(gw.events, 'slow_body', '127.0.0.9')[0]?.labels).toMatchObject({ reason: 'rate' });

    const status = await new Promise<number>((resolve, reject) => {
      const req = httpRequest(
        {
          host: '127.0.0.1',
          port: gw.port,
          path: '/upload',
          method: 'POST',
          localAddress: '127.0.0.10',
          agent: false,
        },
        (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        },
      );
      req.on('error', reject);
      req.end(Buffer.alloc(200_000, 1));
    });
    expect(status).toBe(200);
    await eventually(() => gw.gateway.connectionTelemetry().bodySeconds.count >= 1);
  });

  it('asks the shop only once a small body has arrived whole, so slow senders hold no shop connection', async () => {
    const gw = await gateway({});
    const socket = await connectFrom(gw.port, '127.0.0.13');
    let answer = '';
    socket.on('data', (d: Buffer) => (answer += d.toString()));
    socket.write('POST /upload?slow-sender HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\n01234');
    await sleep(300);
    expect(upstream.seen.some((r) => r.url === '/upload?slow-sender')).toBe(false);
    socket.write('56789');
    await eventually(() => answer.includes('{"bytes":10}'));
    expect(upstream.seen.some((r) => r.url === '/upload?slow-sender')).toBe(true);
    socket.destroy();
  });

  it('closes a connection whose client reads nothing of a large answer (slow read)', async () => {
    const gw = await gateway({
      upstream: bigUrl,
      connections: { sendStallTimeoutMs: 400, sweepIntervalMs: 50 },
    });
    const socket = await connectFrom(gw.port, '127.0.0.11');
    socket.write('GET /big HTTP/1.1\r\nHost: x\r\n\r\n');
    // A paused socket reads nothing, not even the close: judge by the gateway's side.
    socket.pause();
    await eventually(() => flows(gw.events, 'slow_read', '127.0.0.11').length === 1, 15_000);
    expect(flows(gw.events, 'slow_read', '127.0.0.11')[0]?.labels).toMatchObject({ reason: 'stalled' });
    await eventually(() => gw.gateway.metrics.connections.active === 0);
    socket.destroy();
  }, 30_000);
});

describe('connection telemetry', () => {
  it('times the first byte and the headers of each connection', async () => {
    const gw = await gateway({});
    for (let i = 0; i < 3; i++) expect(await getFrom(gw.port, '127.0.0.12')).toBe(200);
    const telemetry = gw.gateway.connectionTelemetry();
    expect(telemetry.firstByteSeconds.count).toBe(3);
    expect(telemetry.headersSeconds.count).toBe(3);
    await eventually(() => gw.gateway.connectionTelemetry().durationSeconds.count === 3);
    expect(gw.gateway.metrics.connections.accepted).toBe(3);
    expect(gw.gateway.metrics.connections.active).toBe(0);
  });
});
