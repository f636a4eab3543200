/**
 * Runs the flow collector (ingest, flow source): one UDP socket taking NetFlow v5, v9 and
 * IPFIX datagrams from any number of exporters, decoded by decoder.ts and written through
 * a FairQueue (one bounded queue per exporter address) so a flooding exporter only loses
 * its own records. Every datagram is decoded, even when its exporter's queue is full, so
 * templates and sequence numbers stay right; the records are then dropped and counted
 * (`queue_full`). Nothing an exporter sends stops the collector.
 *
 * @example
 * const flows = await startFlowSource(parseFlowConfig({ listen: '127.0.0.1:0' }), { writer });
 * flows.address; // { host: '127.0.0.1', port: 40123 }
 */
import { createSocket, type Socket } from 'node:dgram';
import { isIPv6 } from 'node:net';
import type { Logger } from 'pino';
import { systemClock, type Clock } from '../../../core/clock.js';
import { EnsuresecError } from '../../../core/errors.js';
import type { SecurityEvent } from '../../../core/records/index.js';
import { bindUdpSocket } from '../bind-udp.js';
import type { EventWriter } from '../event-writer.js';
import { FairQueue } from '../syslog/fair-queue.js';
import { flowListenAddress, type FlowConfig } from './config.js';
import { FlowDecoder } from './decoder.js';
import type { FlowCounters } from './metrics.js';

export interface FlowSourceDependencies {
  writer: EventWriter;
  logger?: Logger;
  clock?: Clock;
}

export interface RunningFlowSource {
  readonly counters: FlowCounters;
  readonly address: { host: string; port: number };
  /** The receive buffer the kernel granted (Linux reports twice what it books). */
  readonly receiveBufferBytes: number;
  /** Resolves when every record received so far has been written. */
  drain(): Promise<void>;
  stop(): Promise<void>;
}

/** The queue of exporters beyond `maxExporters` distinct addresses: they share one. */
const OVERFLOW_SENDER = '*';

async function bind(socket: Socket, host: string, port: number): Promise<void> {
  await bindUdpSocket(socket, host, port).catch((error: unknown) => {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EADDRINUSE' || code === 'EACCES' || code === 'EADDRNOTAVAIL') {
      throw new EnsuresecError('port_in_use', {
        detail: `flow collector udp ${host}:${port} cannot be bound (${code}); set ingest.flows.listen to another address or ingest.flows.enabled to false${port < 1024 ? ' (ports below 1024 need privileges)' : ''}.`,
        cause: error,
      });
    }
    throw error;
  });
}

export async function startFlowSource(
  config: FlowConfig,
  deps: FlowSourceDependencies,
): Promise<RunningFlowSource> {
  const clock = deps.clock ?? systemClock;
  const { host, port } = flowListenAddress(config);
  const decoder = new FlowDecoder({
    name: config.name,
    maxExporters: config.maxExporters,
    maxTemplatesPerExporter: config.maxTemplatesPerExporter,
    maxSequenceGap: config.maxSequenceGap,
  });
  const counters = decoder.counters;
  const queue = new FairQueue(deps.writer, {
    maxQueuedPerSender: config.maxQueuedPerExporter,
    onWriteError: (error, events) =>
      deps.logger?.error({ err: error, events }, 'flow events could not be written'),
  });
  const senders = new Set<string>();
  const socket = createSocket({
    type: isIPv6(host) ? 'udp6' : 'udp4',
    recvBufferSize: config.receiveBufferBytes,
  });
  socket.on('message', (datagram, remote) => {
    const events: SecurityEvent[] = [];
    decoder.decode(datagram, remote.address, clock.nowMs(), events);
    if (events.length === 0) return;
    let sender = remote.address;
    if (!senders.has(sender)) {
      if (senders.size >= config.maxExporters) sender = OVERFLOW_SENDER;
      else senders.add(sender);
    }
    if (!queue.hasRoom(sender)) {
      counters.dropped.queue_full += events.length;
      return;
    }
    queue.offer(sender, events);
  });
  socket.on('error', (error) => deps.logger?.warn({ err: error }, 'flow collector socket error'));
  await bind(socket, host, port);
  const receiveBufferBytes = socket.getRecvBufferSize();
  if (receiveBufferBytes < config.receiveBufferBytes) {
    deps.logger?.info(
      { requested: config.receiveBufferBytes, granted: receiveBufferBytes },
      'the kernel granted a smaller flow receive buffer (raise net.core.rmem_max)',
    );
  }
  const address = { host, port: socket.address().port };
  deps.logger?.info({ listen: `${host}:${address.port}` }, 'flow collector listening (NetFlow v5/v9, IPFIX)');
  let stopped = false;
  return {
    counters,
    address,
    receiveBufferBytes,
    drain: () => queue.drain(),
    async stop() {
      if (stopped) return;
      stopped = true;
      await new Promise<void>((resolve) => socket.close(() => resolve()));
      await queue.drain();
      await deps.writer.flush();
    },
  };
}
