/**
 * The connection front (gateway, before HTTP): the gateway's listening socket. It accepts each
 * TCP connection, applies the per-client caps (concurrent connections, new connections per
 * second), waits for the first bytes (for TLS: the whole ClientHello, fingerprinted with JA4,
 * then the handshake), and hands the connection to node's HTTP server. While the connection is
 * open, a sweep every `sweepIntervalMs` closes slow bodies (R-U-Dead-Yet) and stalled reads;
 * node's own headers timeout closes slow headers (slowloris). Each close for one of these
 * reasons, and each refusal by a cap, becomes a `flow` event. Work here is per connection and
 * per sweep, never per request: the request hot path only tags its connection (`noteRequest`).
 *
 * @example
 * const front = new ConnectionFront(httpServer, settings, tls, publish, 'gateway', logger);
 * await front.listen(8780, '127.0.0.1');
 */
import { createServer, type Server as NetServer, type Socket } from 'node:net';
import type { IncomingMessage, Server as HttpServer } from 'node:http';
import { TLSSocket } from 'node:tls';
import type { Logger } from 'pino';
import type { SecurityEvent } from '../../core/records/security-event.js';
import { normaliseIp } from '../ip.js';
import { MAX_CLIENT_HELLO_BYTES, readClientHello } from '../tls/client-hello.js';
import type { CertificateStore } from '../tls/certificates.js';
import { ja4Of } from '../tls/ja4.js';
import { ClientTable, type ClientEntry, type ClientSummary } from './client-table.js';
import { FlowEventEmitter, type FlowState } from './flow-events.js';
import { Histogram, RATE_BUCKETS, SECONDS_BUCKETS, type HistogramSnapshot } from './histogram.js';
import type { ConnectionSettings } from './settings.js';

/** The tracked connection, on both the raw socket and the TLS socket the HTTP server sees. */
export const kConnection = Symbol('ensuresec.connection');
export type TaggedSocket = Socket & { [kConnection]?: TrackedConnection };

export interface FrontOptions {
  settings: ConnectionSettings;
  /** node's headers timeout: also the time to the first byte. */
  headersTimeoutMs: number;
  certificates: CertificateStore | null;
  publishEvent: ((event: SecurityEvent) => void) | null;
  sourceName: string;
  logger: Logger;
}

export interface ConnectionCounters {
  active: number;
  accepted: number;
  refused: { concurrent: number; newRate: number };
  closed: Record<Exclude<FlowState, 'connection_cap'>, number>;
  tls: { handshakes: number; failures: number; invalidHellos: number };
  flowEvents: { published: number; suppressed: number };
  trackedClients: number;
  untrackedConnections: number;
}

export interface ConnectionTelemetry {
  firstByteSeconds: HistogramSnapshot;
  headersSeconds: HistogramSnapshot;
  bodyFirstByteSeconds: HistogramSnapshot;
  bodySeconds: HistogramSnapshot;
  durationSeconds: HistogramSnapshot;
  bytesPerSecond: HistogramSnapshot;
  tlsHandshakeSeconds: HistogramSnapshot;
}

type Phase = 'waiting' | 'handshake' | 'http';

export class TrackedConnection {
  phase: Phase = 'waiting';
  /** The socket node's HTTP server reads (the TLS socket for TLS). */
  http: Socket;
  ja4: string | undefined = undefined;
  request: IncomingMessage | null = null;
  requests = 0;
  closedAs: FlowState | null = null;
  readonly startMs = Date.now();
  readonly acceptedAt = performance.now();
  firstByteAt = 0;
  handshakeStartedAt = 0;
  // The request whose body is being received.
  headersAt = 0;
  bytesAtHeaders = 0;
  bodyFirstByteSeen = false;
  lastReadBytes = 0;
  lastProgressAt = 0;
  // Stalled writes (slow read).
  lastFlushed = 0;
  stalledSince = 0;
  lastTotalBytes = 0;

  constructor(
    readonly raw: Socket,
    readonly clientIp: string,
    readonly client: ClientEntry | null,
  ) {
    this.http = raw;
  }

  get bytes(): number {
    return this.raw.bytesRead + this.http.bytesWritten;
  }
}

/** Bytes handed to the kernel: written minus what still waits in node's buffers. */
function flushedBytes(socket: Socket): number {
  return socket.bytesWritten - socket.writableLength;
}

function hasBody(req: IncomingMessage): boolean {
  const length = req.headers['content-length'];
  return (length !== undefined && length !== '0') || req.headers['transfer-encoding'] !== undefined;
}

export class ConnectionFront {
  readonly server: NetServer;
  readonly clients: ClientTable;
  private readonly open = new Set<TrackedConnection>();
  private readonly flows: FlowEventEmitter;
  private readonly settings: ConnectionSettings;
  private sweepTimer: NodeJS.Timeout | null = null;
  private lastPruneMs = Date.now();
  /** Time to the first byte (plain) or to the whole ClientHello (TLS). */
  private readonly waitingTimeoutMs: number;
  private readonly counters = {
    accepted: 0,
    refusedConcurrent: 0,
    refusedNewRate: 0,
    closed: { slow_headers: 0, slow_body: 0, slow_read: 0 },
    tlsHandshakes: 0,
    tlsFailures: 0,
    invalidHellos: 0,
  };
  private readonly histograms = {
    firstByteSeconds: new Histogram(SECONDS_BUCKETS),
    headersSeconds: new Histogram(SECONDS_BUCKETS),
    bodyFirstByteSeconds: new Histogram(SECONDS_BUCKETS),
    bodySeconds: new Histogram(SECONDS_BUCKETS),
    durationSeconds: new Histogram(SECONDS_BUCKETS),
    bytesPerSecond: new Histogram(RATE_BUCKETS),
    tlsHandshakeSeconds: new Histogram(SECONDS_BUCKETS),
  };

  constructor(
    private readonly httpServer: HttpServer,
    private readonly options: FrontOptions,
  ) {
    this.settings = options.settings;
    this.waitingTimeoutMs =
      options.certificates === null ? options.headersTimeoutMs : options.settings.handshakeTimeoutMs;
    this.clients = new ClientTable(this.settings.maxTrackedClients, this.settings.newBurst);
    this.flows = new FlowEventEmitter(
      options.publishEvent,
      options.sourceName,
      this.settings.flowEventIntervalMs,
      this.settings.flowEventsPerSecond,
      options.logger,
    );
    this.server = createServer({ noDelay: true, pauseOnConnect: false }, (socket) => this.accept(socket));
  }

  async listen(port: number, host: string): Promise<number> {
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(port, host, () => {
        this.server.off('error', reject);
        resolve();
      });
    });
    this.sweepTimer = setInterval(() => this.sweep(), this.settings.sweepIntervalMs);
    this.sweepTimer.unref();
    const address = this.server.address();
    return typeof address === 'object' && address !== null ? address.port : port;
  }

  /** Stops accepting and the sweep, and destroys every connection still open. */
  async close(): Promise<void> {
    if (this.sweepTimer !== null) clearInterval(this.sweepTimer);
    this.sweepTimer = null;
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    for (const connection of this.open) {
      connection.http.destroy();
      connection.raw.destroy();
    }
    await closed;
  }

  /** Hot path (once per request): remembers the request whose body the sweep watches. */
  noteRequest(socket: Socket, req: IncomingMessage): TrackedConnection | undefined {
    const connection = (socket as TaggedSocket)[kConnection];
    if (connection === undefined) return undefined;
    const now = performance.now();
    if (connection.requests++ === 0)
      this.histograms.headersSeconds.observe((now - connection.acceptedAt) / 1_000);
    if (!hasBody(req)) {
      connection.request = null;
      return connection;
    }
    connection.request = req;
    connection.headersAt = now;
    connection.bytesAtHeaders = connection.raw.bytesRead;
    connection.lastReadBytes = connection.bytesAtHeaders;
    connection.lastProgressAt = now;
    connection.bodyFirstByteSeen = false;
    // Only requests with a body pay for this listener; 'end' does not change how the body flows.
    req.once('end', () => {
      this.histograms.bodySeconds.observe((performance.now() - now) / 1_000);
      if (connection.request === req) connection.request = null;
    });
    return connection;
  }

  /** node's headers or request timeout fired on this socket (it answers 408): report it as a slow attack. */
  onRequestTimeout(socket: Socket): void {
    const connection = (socket as TaggedSocket)[kConnection];
    if (connection === undefined || connection.closedAs !== null) return;
    const inBody = connection.request !== null && !connection.request.complete;
    this.report(connection, inBody ? 'slow_body' : 'slow_headers', inBody ? 'request-timeout' : 'headers');
  }

  get counterSnapshot(): ConnectionCounters {
    const c = this.counters;
    return {
      active: this.open.size,
      accepted: c.accepted,
      refused: { concurrent: c.refusedConcurrent, newRate: c.refusedNewRate },
      closed: { ...c.closed },
      tls: { handshakes: c.tlsHandshakes, failures: c.tlsFailures, invalidHellos: c.invalidHellos },
      flowEvents: { published: this.flows.published, suppressed: this.flows.suppressed },
      trackedClients: this.clients.size,
      untrackedConnections: this.clients.untracked,
    };
  }

  get telemetry(): ConnectionTelemetry {
    const h = this.histograms;
    return {
      firstByteSeconds: h.firstByteSeconds.snapshot(),
      headersSeconds: h.headersSeconds.snapshot(),
      bodyFirstByteSeconds: h.bodyFirstByteSeconds.snapshot(),
      bodySeconds: h.bodySeconds.snapshot(),
      durationSeconds: h.durationSeconds.snapshot(),
      bytesPerSecond: h.bytesPerSecond.snapshot(),
      tlsHandshakeSeconds: h.tlsHandshakeSeconds.snapshot(),
    };
  }

  topClients(count: number): ClientSummary[] {
    return this.clients.top(count);
  }

  private accept(raw: Socket): void {
    raw.on('error', () => raw.destroy());
    const settings = this.settings;
    const clientIp = normaliseIp(raw.remoteAddress ?? '');
    const nowMs = Date.now();
    const client = this.clients.enter(clientIp, nowMs);
    if (client !== null) {
      if (settings.maxPerClient > 0 && client.concurrent >= settings.maxPerClient) {
        this.counters.refusedConcurrent++;
        return this.refuse(raw, client, clientIp, 'concurrent', nowMs);
      }
      if (!client.takeNewConnection(nowMs, settings.newPerMs, settings.newBurst)) {
        this.counters.refusedNewRate++;
        return this.refuse(raw, client, clientIp, 'new-rate', nowMs);
      }
      client.concurrent++;
      client.accepted++;
    }
    this.counters.accepted++;
    const connection = new TrackedConnection(raw, clientIp, client);
    (raw as TaggedSocket)[kConnection] = connection;
    this.open.add(connection);
    raw.once('close', () => this.closed(connection));
    if (this.options.certificates === null)
      raw.once('data', (chunk: Buffer) => this.plainFirstData(connection, chunk));
    else this.readClientHello(connection);
  }

  private refuse(raw: Socket, client: ClientEntry, clientIp: string, reason: string, nowMs: number): void {
    client.refused++;
    this.flows.emit(
      {
        state: 'connection_cap',
        reason,
        clientIp,
        clientPort: raw.remotePort,
        serverIp: normaliseIp(raw.localAddress ?? ''),
        serverPort: raw.localPort ?? 0,
        bytes: 0,
        startMs: nowMs,
        endMs: nowMs,
      },
      client,
    );
    raw.destroy();
  }

  private plainFirstData(connection: TrackedConnection, chunk: Buffer): void {
    const raw = connection.raw;
    connection.firstByteAt = performance.now();
    this.histograms.firstByteSeconds.observe((connection.firstByteAt - connection.acceptedAt) / 1_000);
    connection.phase = 'http';
    raw.pause();
    raw.unshift(chunk);
    this.httpServer.emit('connection', raw);
    raw.resume();
  }

  /** Buffers the ClientHello (bounded), fingerprints it, then starts TLS over the same socket. */
  private readClientHello(connection: TrackedConnection): void {
    const raw = connection.raw;
    const chunks: Buffer[] = [];
    let size = 0;
    let atLeastBytes = 1;
    const onData = (chunk: Buffer): void => {
      if (connection.firstByteAt === 0) {
        connection.firstByteAt = performance.now();
        this.histograms.firstByteSeconds.observe((connection.firstByteAt - connection.acceptedAt) / 1_000);
      }
      chunks.push(chunk);
      size += chunk.length;
      // A client dribbling its hello byte by byte costs one parse per record, not one per byte.
      if (size < atLeastBytes) return;
      const bytes = chunks.length === 1 ? chunk : Buffer.concat(chunks, size);
      chunks.splice(0, chunks.length, bytes);
      const read = size > MAX_CLIENT_HELLO_BYTES + 64 ? null : readClientHello(bytes);
      if (read?.status === 'incomplete') {
        atLeastBytes = read.atLeastBytes;
        return;
      }
      raw.off('data', onData);
      if (read === null || read.status === 'invalid') {
        this.counters.invalidHellos++;
        raw.destroy();
        return;
      }
      connection.ja4 = ja4Of(read.hello);
      raw.pause();
      raw.unshift(bytes);
      this.startTls(
        connection,
        (this.options.certificates as CertificateStore).contextFor(read.hello.serverName),
      );
    };
    raw.on('data', onData);
  }

  private startTls(
    connection: TrackedConnection,
    secureContext: ReturnType<CertificateStore['contextFor']>,
  ): void {
    connection.phase = 'handshake';
    connection.handshakeStartedAt = performance.now();
    const tls = new TLSSocket(connection.raw, { isServer: true, secureContext, ALPNProtocols: ['http/1.1'] });
    (tls as TaggedSocket)[kConnection] = connection;
    connection.http = tls;
    tls.on('error', () => {
      if (connection.phase === 'handshake') this.counters.tlsFailures++;
      tls.destroy();
      connection.raw.destroy();
    });
    tls.once('secure', () => {
      this.counters.tlsHandshakes++;
      this.histograms.tlsHandshakeSeconds.observe(
        (performance.now() - connection.handshakeStartedAt) / 1_000,
      );
      connection.phase = 'http';
      this.httpServer.emit('connection', tls);
    });
  }

  private closed(connection: TrackedConnection): void {
    this.open.delete(connection);
    const client = connection.client;
    if (client !== null) {
      client.concurrent--;
      client.lastSeenMs = Date.now();
    }
    const seconds = (performance.now() - connection.acceptedAt) / 1_000;
    this.histograms.durationSeconds.observe(seconds);
    if (seconds > 0) this.histograms.bytesPerSecond.observe(connection.bytes / seconds);
  }

  /** Closes a connection for a slow-attack reason, counting it and reporting it as a flow event. */
  private closeAs(
    connection: TrackedConnection,
    state: Exclude<FlowState, 'connection_cap'>,
    reason: string,
  ): void {
    this.report(connection, state, reason);
    connection.http.destroy();
    connection.raw.destroy();
  }

  private report(
    connection: TrackedConnection,
    state: Exclude<FlowState, 'connection_cap'>,
    reason: string,
  ): void {
    connection.closedAs = state;
    this.counters.closed[state]++;
    const raw = connection.raw;
    this.flows.emit(
      {
        state,
        reason,
        clientIp: connection.clientIp,
        clientPort: raw.remotePort,
        serverIp: normaliseIp(raw.localAddress ?? ''),
        serverPort: raw.localPort ?? 0,
        bytes: connection.bytes,
        startMs: connection.startMs,
        endMs: Date.now(),
        ja4: connection.ja4,
      },
      connection.client,
    );
  }

  /** Every sweepIntervalMs: first-byte and handshake timeouts, slow bodies, stalled reads, byte rates. */
  private sweep(): void {
    const now = performance.now();
    const nowMs = Date.now();
    const s = this.settings;
    for (const connection of this.open) {
      if (connection.closedAs !== null) continue;
      const total = connection.bytes;
      if (connection.client !== null && total > connection.lastTotalBytes) {
        connection.client.addBytes(total - connection.lastTotalBytes, nowMs);
      }
      connection.lastTotalBytes = total;
      if (connection.phase === 'waiting') {
        if (now - connection.acceptedAt > this.waitingTimeoutMs)
          this.closeAs(connection, 'slow_headers', connection.firstByteAt === 0 ? 'first-byte' : 'tls-hello');
        continue;
      }
      if (connection.phase === 'handshake') {
        if (now - connection.handshakeStartedAt > s.handshakeTimeoutMs)
          this.closeAs(connection, 'slow_headers', 'tls-handshake');
        continue;
      }
      const req = connection.request;
      if (req !== null) this.checkBody(connection, req, now);
      if (connection.closedAs === null) this.checkStall(connection, now);
    }
    if (nowMs - this.lastPruneMs > 10_000) {
      this.lastPruneMs = nowMs;
      this.clients.prune(nowMs - 60_000);
    }
  }

  private checkBody(connection: TrackedConnection, req: IncomingMessage, now: number): void {
    const s = this.settings;
    const read = connection.raw.bytesRead;
    if (req.complete) {
      connection.request = null;
      return;
    }
    if (read > connection.lastReadBytes || req.readableLength > 0) {
      // Progress, or bytes waiting on our side (the shop or the inspector reads slowly): not the client's fault.
      if (!connection.bodyFirstByteSeen && read > connection.bytesAtHeaders) {
        connection.bodyFirstByteSeen = true;
        this.histograms.bodyFirstByteSeconds.observe((now - connection.headersAt) / 1_000);
      }
      connection.lastReadBytes = read;
      connection.lastProgressAt = now;
    } else if (now - connection.lastProgressAt > s.bodyIdleTimeoutMs) {
      return this.closeAs(connection, 'slow_body', 'idle');
    }
    const elapsedMs = now - connection.headersAt;
    if (s.minBodyBytesPerSecond > 0 && elapsedMs > s.bodyRateGraceMs && req.readableLength === 0) {
      const rate = ((read - connection.bytesAtHeaders) * 1_000) / elapsedMs;
      if (rate < s.minBodyBytesPerSecond) this.closeAs(connection, 'slow_body', 'rate');
    }
  }

  /** A response waiting on a client that reads nothing: no byte handed to the kernel for sendStallTimeoutMs. */
  private checkStall(connection: TrackedConnection, now: number): void {
    const socket = connection.http;
    if (socket.writableLength === 0) {
      connection.stalledSince = 0;
      return;
    }
    const flushed = flushedBytes(socket);
    if (connection.stalledSince === 0 || flushed !== connection.lastFlushed) {
      connection.lastFlushed = flushed;
      connection.stalledSince = now;
      return;
    }
    if (now - connection.stalledSince > this.settings.sendStallTimeoutMs)
      this.closeAs(connection, 'slow_read', 'stalled');
  }
}
