/**
 * One benchmark server per child process (so the servers and the load generator never share
 * an event loop): `node --import tsx bench/server.ts <upstream|minimal-proxy|gateway> [upstreamUrl]`.
 * Prints one JSON line {"port": n} when listening; answers {"type":"stats"} over IPC.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { newId } from '../src/core/ids.js';
import type { Decision } from '../src/core/records/decision.js';
import { createGateway } from '../src/gateway/index.js';
import { createMinimalProxy } from './minimal-proxy.js';

const [role, upstream = ''] = process.argv.slice(2);

/** 1,000 ip bans and 100 CIDR bans, none of them covering 127.0.0.1. */
function benchDecisions(): Decision[] {
  const createdAt = new Date().toISOString();
  const base = { createdAt, expiresAt: null, origin: 'cli' as const, reason: 'bench' };
  const decisions: Decision[] = [];
  for (let i = 0; i < 1_000; i++) {
    const value = `10.${(i >> 8) & 255}.${i & 255}.${(i * 7) & 255}`;
    decisions.push({ ...base, id: newId('dec'), action: 'ban', scope: 'ip', value });
  }
  for (let i = 0; i < 100; i++) {
    decisions.push({
      ...base,
      id: newId('dec'),
      action: 'ban',
      scope: 'cidr',
      value: `172.${16 + (i % 16)}.${i}.0/24`,
    });
  }
  return decisions;
}

async function main(): Promise<void> {
  let stats: () => unknown = () => ({});
  let port: number;
  if (role === 'upstream') {
    const server = createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/plain', 'content-length': '2' });
      res.end('ok');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
  } else if (role === 'minimal-proxy') {
    const server = createMinimalProxy(upstream);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
  } else if (role === 'gateway') {
    let events = 0;
    const decisions = benchDecisions();
    const gateway = createGateway({
      upstream,
      host: '127.0.0.1',
      port: 0,
      publishEvent: () => void events++,
      decisions: { listActive: async () => decisions },
      rateLimits: {
        perClient: { requestsPerWindow: 100_000_000, windowMs: 60_000 },
        routes: [
          { method: 'POST', pathPrefix: '/login', ratePerMinute: 10 },
          { pathPrefix: '/checkout', ratePerMinute: 60 },
        ],
      },
    });
    port = (await gateway.listen()).port;
    stats = () => ({ events, metrics: gateway.metrics });
  } else {
    throw new Error(`unknown role ${role}`);
  }
  process.on('message', (message: { type?: string }) => {
    if (message.type === 'stats') process.send?.({ type: 'stats', stats: stats() });
  });
  // A clean exit lets --cpu-prof and friends write their files.
  process.on('SIGTERM', () => process.exit(0));
  console.log(JSON.stringify({ port }));
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
