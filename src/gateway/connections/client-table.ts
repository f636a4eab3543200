/**
 * The per-client table of the connection front (gateway, before HTTP): for each client address,
 * its open connections, its new-connection token bucket, and rough rates (new connections and
 * bytes per second over the last second). Bounded: idle clients are pruned, and when the table
 * is full a new client goes untracked (served, not capped) rather than the table growing.
 *
 * @example
 * const client = table.enter('203.0.113.9', Date.now());
 * if (client !== null && !client.takeNewConnection(now, 0.1, 200)) refuse();
 */

/** One reporting mark per close reason: when the last flow event went out, how many closes since. */
interface FlowMark {
  lastMs: number;
  pending: number;
}

export class ClientEntry {
  concurrent = 0;
  accepted = 0;
  refused = 0;
  /** New connections per second and bytes per second, over the last complete window. */
  newPerSecond = 0;
  bytesPerSecond = 0;
  lastSeenMs: number;
  private tokens: number;
  private tokensAtMs: number;
  private windowStartMs: number;
  private windowConnections = 0;
  private windowBytes = 0;
  private flowMarks: Map<string, FlowMark> | null = null;

  constructor(
    readonly ip: string,
    nowMs: number,
    burst: number,
  ) {
    this.lastSeenMs = nowMs;
    this.tokens = burst;
    this.tokensAtMs = nowMs;
    this.windowStartMs = nowMs;
  }

  /** Counts a new connection; false when the client's new-connection bucket is empty. */
  takeNewConnection(nowMs: number, ratePerMs: number, burst: number): boolean {
    this.lastSeenMs = nowMs;
    this.roll(nowMs);
    this.windowConnections++;
    if (ratePerMs <= 0) return true;
    this.tokens = Math.min(burst, this.tokens + (nowMs - this.tokensAtMs) * ratePerMs);
    this.tokensAtMs = nowMs;
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }

  addBytes(bytes: number, nowMs: number): void {
    this.roll(nowMs);
    this.windowBytes += bytes;
  }

  /**
   * Whether a flow event for `reason` may go out now (at most one per `intervalMs`); returns the
   * number of closes it stands for (this one and those held back since the last), or 0.
   */
  flowEventDue(reason: string, nowMs: number, intervalMs: number): number {
    this.flowMarks ??= new Map();
    const mark = this.flowMarks.get(reason);
    if (mark === undefined) {
      this.flowMarks.set(reason, { lastMs: nowMs, pending: 0 });
      return 1;
    }
    mark.pending++;
    if (nowMs - mark.lastMs < intervalMs) return 0;
    const closes = mark.pending;
    mark.lastMs = nowMs;
    mark.pending = 0;
    return closes;
  }

  private roll(nowMs: number): void {
    const elapsedMs = nowMs - this.windowStartMs;
    if (elapsedMs < 1_000) return;
    // A window that ended long ago says nothing about the last second.
    const recent = elapsedMs < 2_000;
    this.newPerSecond = recent ? (this.windowConnections * 1_000) / elapsedMs : 0;
    this.bytesPerSecond = recent ? Math.round((this.windowBytes * 1_000) / elapsedMs) : 0;
    this.windowStartMs = nowMs;
    this.windowConnections = 0;
    this.windowBytes = 0;
  }
}

export interface ClientSummary {
  ip: string;
  concurrent: number;
  accepted: number;
  refused: number;
  newPerSecond: number;
  bytesPerSecond: number;
}

export class ClientTable {
  private readonly clients = new Map<string, ClientEntry>();
  /** Connections accepted while the table was full (served without per-client caps). */
  untracked = 0;

  constructor(
    private readonly maxClients: number,
    private readonly burst: number,
  ) {}

  get size(): number {
    return this.clients.size;
  }

  /** The client's entry, created when new; null when the table is full of clients with open connections. */
  enter(ip: string, nowMs: number): ClientEntry | null {
    let client = this.clients.get(ip);
    if (client !== undefined) return client;
    if (this.clients.size >= this.maxClients && !this.makeRoom()) {
      this.untracked++;
      return null;
    }
    client = new ClientEntry(ip, nowMs, this.burst);
    this.clients.set(ip, client);
    return client;
  }

  /** Forgets clients with no open connection that were last seen before `idleBeforeMs`. */
  prune(idleBeforeMs: number): void {
    for (const [ip, client] of this.clients) {
      if (client.concurrent === 0 && client.lastSeenMs < idleBeforeMs) this.clients.delete(ip);
    }
  }

  /** The clients holding the most open connections. */
  top(count: number): ClientSummary[] {
    const top: ClientEntry[] = [];
    for (const client of this.clients.values()) {
      if (client.concurrent === 0 && client.newPerSecond === 0) continue;
      top.push(client);
      if (top.length > count * 4) {
        top.sort((a, b) => b.concurrent - a.concurrent);
        top.length = count;
      }
    }
    top.sort((a, b) => b.concurrent - a.concurrent || b.newPerSecond - a.newPerSecond);
    return top.slice(0, count).map((c) => ({
      ip: c.ip,
      concurrent: c.concurrent,
      accepted: c.accepted,
      refused: c.refused,
      newPerSecond: Math.round(c.newPerSecond * 10) / 10,
      bytesPerSecond: c.bytesPerSecond,
    }));
  }

  /** Drops the oldest tenth of the clients without open connections. */
  private makeRoom(): boolean {
    let toDrop = Math.max(1, Math.floor(this.maxClients / 10));
    for (const [ip, client] of this.clients) {
      if (toDrop <= 0) break;
      if (client.concurrent > 0) continue;
      this.clients.delete(ip);
      toDrop--;
    }
    return this.clients.size < this.maxClients;
  }
}
