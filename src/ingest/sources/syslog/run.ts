/**
 * Runs the syslog source (ingest): a UDP socket (one datagram, one message) and a TCP
 * server (RFC 6587 octet counting or newline framing, judged per frame), both parsing with
 * source.ts and writing through a FairQueue so no sender starves the others. Limits: a
 * message over `maxMessageBytes` is refused (counted, sampled to the dead letters), TCP
 * connections beyond `maxConnections` are refused at accept, idle ones closed after
 * `idleTimeout`. Nothing a sender does stops the source.
 *
 * @example
 * const syslog = await startSyslogSource(parseSyslogConfig({ udp: { port: 0 }, tcp: { port: 0 } }), { writer, deadLetters });
 * syslog.tcpAddress; // { host: '127.0.0.1', port: 40123 }
 */
import { createSocket, type Socket as UdpSocket } from 'node:dgram';
import { isIPv6 } from 'node:net';
import { createServer, type Server, type Socket } from 'node:net';
import type { Logger } from 'pino';
import { EnsuresecError } from '../../../core/errors.js';
import type { Clock } from '../../../core/clock.js';
import type { SecurityEvent } from '../../../core/records/index.js';
import {
  createDeadLetterSampler,
  type DeadLetterSampler,
  type DeadLetterSink,
  type MalformedReason,
} from '../dead-letter.js';
import { bindUdpSocket } from '../bind-udp.js';
import type { EventWriter } from '../event-writer.js';
import { countMalformed } from '../access-log/metrics.js';
import type { SyslogConfig } from './config.js';
import { FairQueue } from './fair-queue.js';
import { SyslogFrameDecoder, type Frame } from './framing.js';
import { newSyslogCounters, type SyslogCounters } from './metrics.js';
import { createSyslogMessageParser, decodeMessage, type SyslogMessageParser } from './source.js';

export interface SyslogDependencies {
  writer: EventWriter;
  deadLetters: DeadLetterSink;
  logger?: Logger;
  clock?: Clock;
}

export interface RunningSyslogSource {
  readonly counters: SyslogCounters;
  readonly udpAddress: { host: string; port: number } | null;
  readonly tcpAddress: { host: string; port: number } | null;
  /** Resolves when every message received so far has been written. */
  drain(): Promise<void>;
  stop(): Promise<void>;
}

/** Distinct UDP senders with a queue of their own; beyond it they share one. */
const MAX_UDP_SENDER_QUEUES = 1024;

interface Context {
  config: SyslogConfig;
  counters: SyslogCounters;
  parse: SyslogMessageParser;
  deadLetters: DeadLetterSampler;
  queue: FairQueue;
}

function handleFrames(context: Context, frames: Frame[], peer: string): SecurityEvent[] {
  const events: SecurityEvent[] = [];
  for (const frame of frames) {
    context.counters.linesRead++;
    if ('error' in frame) {
      refuse(context, frame.error, frame.sample, peer);
      continue;
    }
    context.counters.bytesRead += frame.message.length;
    const text = decodeMessage(frame.message);
    const result = context.parse(text, peer);
    if (result === null) context.counters.skipped++;
    else if (result.ok) events.push(result.event);
    else refuse(context, result.reason, text, peer);
  }
  context.counters.events += events.length;
  return events;
}

function refuse(context: Context, reason: MalformedReason, input: string, location: string): void {
  countMalformed(context.counters, reason);
  context.deadLetters.report({ source: context.config.name, reason, input, location });
}

async function bindUdp(context: Context, logger: Logger | undefined): Promise<UdpSocket> {
  const { host, port } = context.config.udp;
  const socket = createSocket({ type: isIPv6(host) ? 'udp6' : 'udp4' });
  const senders = new Set<string>();
  socket.on('message', (datagram, remote) => {
    const peer = `udp ${remote.address}:${remote.port}`;
    let sender = `udp ${remote.address}`;
    if (!senders.has(sender)) {
      if (senders.size >= MAX_UDP_SENDER_QUEUES) sender = 'udp *';
      else senders.add(sender);
    }
    if (!context.queue.hasRoom(sender)) {
      context.counters.dropped++;
      return;
    }
    const frames: Frame[] =
      datagram.length > context.config.maxMessageBytes
        ? [{ error: 'message_too_large', sample: datagram.toString('utf8', 0, 256) }]
        : [{ message: datagram }];
    context.queue.offer(sender, handleFrames(context, frames, peer));
  });
  socket.on('error', (error) => logger?.warn({ err: error }, 'syslog UDP socket error'));
  await bindUdpSocket(socket, host, port).catch((error: unknown) => {
    throw listenError(error, 'udp', host, port);
  });
  return socket;
}

function listenError(error: unknown, protocol: string, host: string, port: number): unknown {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'EADDRINUSE' || code === 'EACCES') {
    return new EnsuresecError('port_in_use', {
      detail: `syslog ${protocol} ${host}:${port} cannot be bound (${code}); choose another port${port < 1024 ? ' (ports below 1024 need privileges)' : ''}.`,
      cause: error,
    });
  }
  return error;
}

async function listenTcp(context: Context, sockets: Set<Socket>): Promise<Server> {
  const { host, port, maxConnections, idleTimeout } = context.config.tcp;
  let nextConnection = 0;
  const server = createServer((socket) => {
    const counters = context.counters;
    counters.connectionsAccepted++;
    counters.connectionsOpen++;
    sockets.add(socket);
    const sender = `tcp#${nextConnection++}`;
    const peer = `tcp ${socket.remoteAddress ?? '?'}:${socket.remotePort ?? 0}`;
    const decoder = new SyslogFrameDecoder({ maxMessageBytes: context.config.maxMessageBytes });
    socket.setTimeout(idleTimeout, () => socket.destroy());
    socket.on('data', (chunk: Buffer) => {
      const events = handleFrames(context, decoder.push(chunk), peer);
      if (!context.queue.offer(sender, events)) {
        socket.pause();
        context.queue.whenBelowHalf(sender, () => socket.resume());
      }
    });
    socket.on('end', () => {
      context.queue.offer(sender, handleFrames(context, decoder.end(), peer));
      socket.end();
    });
    socket.on('error', () => socket.destroy());
    socket.on('close', () => {
      counters.connectionsOpen--;
      sockets.delete(socket);
    });
  });
  server.maxConnections = maxConnections;
  server.on('drop', () => context.counters.connectionsRefused++);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  }).catch((error: unknown) => {
    throw listenError(error, 'tcp', host, port);
  });
  return server;
}

function addressOf(host: string, address: unknown): { host: string; port: number } {
  return { host, port: (address as { port: number }).port };
}

export async function startSyslogSource(
  config: SyslogConfig,
  deps: SyslogDependencies,
): Promise<RunningSyslogSource> {
  const counters = newSyslogCounters(config.name);
  const clockOption = deps.clock ? { clock: deps.clock } : {};
  const context: Context = {
    config,
    counters,
    parse: createSyslogMessageParser({
      name: config.name,
      accessLogs: config.accessLogs,
      legacyUtcOffsetMinutes: config.legacyUtcOffsetMinutes,
      ...clockOption,
    }),
    deadLetters: createDeadLetterSampler(deps.deadLetters, {
      maxPerMinute: config.deadLetters.maxPerMinute,
      ...clockOption,
    }),
    queue: new FairQueue(deps.writer, {
      maxQueuedPerSender: config.maxQueuedPerSender,
      onWriteError: (error, events) =>
        deps.logger?.error({ err: error, events }, 'syslog events could not be written'),
    }),
  };
  const sockets = new Set<Socket>();
  const udp = config.udp.enabled ? await bindUdp(context, deps.logger) : null;
  let tcp: Server | null = null;
  try {
    if (config.tcp.enabled) tcp = await listenTcp(context, sockets);
  } catch (error) {
    udp?.close();
    throw error;
  }
  return {
    counters,
    udpAddress: udp ? addressOf(config.udp.host, udp.address()) : null,
    tcpAddress: tcp ? addressOf(config.tcp.host, tcp.address()) : null,
    drain: () => context.queue.drain(),
    async stop() {
      udp?.close();
      for (const socket of sockets) socket.destroy();
      if (tcp) await new Promise<void>((resolve) => (tcp as Server).close(() => resolve()));
      await context.queue.drain();
      await deps.writer.flush();
    },
  };
}
