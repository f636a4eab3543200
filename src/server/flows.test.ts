import { createSocket, type Socket } from 'node:dgram';
import { pino } from 'pino';
import { Registry } from 'prom-client';
import { afterEach, describe, expect, it } from 'vitest';
import { systemClock } from '../core/clock.js';
import type { SecurityEvent } from '../core/records/index.js';
import type { EventSink } from '../ingest/event-sink.js';
import { parseConfig } from './config/load.js';
import { startFlows } from './flows.js';

const sink: EventSink = {
  push: (_event: SecurityEvent) => undefined,
  flush: async () => undefined,
  close: async () => undefined,
  stats: () => ({
    accepted: 0,
    written: 0,
    dropped: 0,
    failedBatches: 0,
    queued: 0,
    published: 0,
    unpublished: 0,
  }),
};

const held: Socket[] = [];
afterEach(() => {
  for (const socket of held.splice(0)) socket.close();
});

/** Makes sure 127.0.0.1:`port` is taken: binds it, or finds someone else already has. */
async function occupy(port: number): Promise<number> {
  const socket = createSocket('udp4');
  await new Promise<void>((resolve) => {
    socket.once('error', () => resolve());
    socket.bind(port, '127.0.0.1', () => {
      held.push(socket);
      resolve();
    });
  });
  return held.includes(socket) ? socket.address().port : port;
}

async function start(yaml: string, bestEffort = false) {
  const warnings: string[] = [];
  const logger = pino({ level: 'warn' }, { write: (line: string) => void warnings.push(line) });
  const flows = await startFlows({
    config: parseConfig(yaml),
    events: sink,
    metricsRegistry: new Registry(),
    bestEffort,
    logger,
    clock: systemClock,
  });
  return { flows, warnings };
}

describe('the flow collector in the server', () => {
  it('goes on without the collector, with a warning, when the default port 2055 is taken', async () => {
    await occupy(2055);
    const { flows, warnings } = await start('');
    expect(flows).toBeNull();
    expect(warnings.join('')).toContain('port_in_use');
  });

  it('refuses to start when a listen address the user wrote is taken', async () => {
    const port = await occupy(0);
    await expect(start(`ingest:\n  flows:\n    listen: 127.0.0.1:${port}\n`)).rejects.toMatchObject({
      code: 'port_in_use',
    });
  });

  it('goes on in the demo even when that address is taken', async () => {
    const port = await occupy(0);
    const { flows } = await start(`ingest:\n  flows:\n    listen: 127.0.0.1:${port}\n`, true);
    expect(flows).toBeNull();
  });

  it('starts on the configured address, and not at all when disabled', async () => {
    const { flows } = await start('ingest:\n  flows:\n    listen: 127.0.0.1:0\n');
    expect(flows?.address.port).toBeGreaterThan(0);
    await flows?.stop();
    expect((await start('ingest:\n  flows:\n    enabled: false\n')).flows).toBeNull();
  });
});
