import { once } from 'node:events';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import {
  makeDecision,
  mutableProvider,
  startGateway,
  startUpstream,
  type TestGateway,
  type Upstream,
} from './testing/harness.js';

describe('gateway WebSocket upgrades', () => {
  let upstream: Upstream;
  let gw: TestGateway;
  const decisions = mutableProvider();

  beforeAll(async () => {
    upstream = await startUpstream();
    gw = await startGateway(upstream.url, { decisions: decisions.provider });
  });
  afterAll(async () => {
    await gw.gateway.close();
    await upstream.close();
  });

  it('echoes messages through the gateway in both directions', async () => {
    const ws = new WebSocket(`ws://127.0.0.1:${gw.port}/socket`);
    let requestId: string | undefined;
    ws.on('upgrade', (res) => (requestId = String(res.headers['x-request-id'])));
    await once(ws, 'open');
    expect(requestId).toMatch(/^req_/);
    ws.send('hello');
    const [message] = (await once(ws, 'message')) as [Buffer];
    expect(String(message)).toBe(`echo:hello|${requestId}`);
    ws.send(Buffer.from([1, 2, 3]), { binary: true });
    const [binary] = (await once(ws, 'message')) as [Buffer];
    expect([...binary]).toEqual([1, 2, 3]);
    expect(gw.gateway.metrics.activeUpgrades).toBe(1);
    ws.close();
    await once(ws, 'close');
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(gw.gateway.metrics.activeUpgrades).toBe(0);
    const event = gw.events.find((e) => e.http?.upgrade === true);
    expect(event?.http).toMatchObject({ status: 101, outcome: 'forwarded', path: '/socket' });
  });

  it('refuses the handshake of a banned client with 403', async () => {
    decisions.decisions = [makeDecision({ action: 'ban', scope: 'ip', value: '127.0.0.1' })];
    await gw.gateway.refreshDecisions();
    const ws = new WebSocket(`ws://127.0.0.1:${gw.port}/socket`);
    ws.on('error', () => undefined);
    const [, res] = (await once(ws, 'unexpected-response')) as [unknown, { statusCode: number }];
    expect(res.statusCode).toBe(403);
    ws.terminate();
    decisions.decisions = [];
    await gw.gateway.refreshDecisions();
  });
});
