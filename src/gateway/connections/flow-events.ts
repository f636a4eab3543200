/**
 * Flow events of the connection front (gateway -> publishEvent -> bus -> detect): when the
 * gateway closes or refuses a connection to protect itself (slow headers, slow body, slow read,
 * a connection cap), it publishes a SecurityEvent of kind `flow` that the slow-attack detector
 * reads. An attack opens thousands of connections, so emission is rate-limited twice: one event
 * per client and reason per interval (carrying in `labels.closes` how many closes it stands
 * for), and a global ceiling per second.
 */
import type { Logger } from 'pino';
import type { SecurityEvent } from '../../core/records/security-event.js';
import { fastIdGenerator } from '../fast-id.js';
import { isoTime } from '../fast-time.js';
import type { ClientEntry } from './client-table.js';

export type FlowState = 'slow_headers' | 'slow_body' | 'slow_read' | 'connection_cap';

export interface FlowClose {
  state: FlowState;
  /** Why, within the state: `first-byte`, `headers`, `tls-handshake`, `idle`, `rate`, `stalled`, `concurrent`, `new-rate`. */
  reason: string;
  clientIp: string;
  clientPort: number | undefined;
  serverIp: string;
  serverPort: number;
  bytes: number;
  startMs: number;
  endMs: number;
  ja4?: string | undefined;
}

const nextEventId = fastIdGenerator('evt');

export class FlowEventEmitter {
  published = 0;
  suppressed = 0;
  private tokens: number;
  private tokensAtMs = 0;

  constructor(
    private readonly publish: ((event: SecurityEvent) => void) | null,
    private readonly sourceName: string,
    private readonly intervalMs: number,
    private readonly perSecond: number,
    private readonly logger: Logger,
  ) {
    this.tokens = perSecond;
  }

  /** Publishes the close as a flow event, unless a recent one for the same client and reason covers it. */
  emit(close: FlowClose, client: ClientEntry | null): void {
    if (this.publish === null) return;
    const closes = client === null ? 1 : client.flowEventDue(close.state, close.endMs, this.intervalMs);
    if (closes === 0 || !this.takeToken(close.endMs)) {
      this.suppressed++;
      return;
    }
    try {
      this.publish(buildFlowEvent(close, closes, this.sourceName));
      this.published++;
    } catch (err) {
      this.logger.warn({ err }, 'gateway could not publish a flow event');
    }
  }

  private takeToken(nowMs: number): boolean {
    this.tokens = Math.min(
      this.perSecond,
      this.tokens + ((nowMs - this.tokensAtMs) * this.perSecond) / 1_000,
    );
    this.tokensAtMs = nowMs;
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }
}

export function buildFlowEvent(close: FlowClose, closes: number, sourceName: string): SecurityEvent {
  const client: NonNullable<SecurityEvent['client']> = { ip: close.clientIp.slice(0, 64) };
  if (close.clientPort !== undefined) client.port = close.clientPort;
  if (close.ja4 !== undefined) client.ja4 = close.ja4;
  return {
    id: nextEventId(close.endMs),
    time: isoTime(close.endMs),
    kind: 'flow',
    source: { type: 'gateway', name: sourceName },
    severity: close.state === 'connection_cap' ? 'low' : 'medium',
    client,
    flow: {
      srcIp: close.clientIp.slice(0, 64),
      dstIp: close.serverIp.slice(0, 64),
      srcPort: close.clientPort ?? 0,
      dstPort: close.serverPort,
      protocol: 'tcp',
      bytes: close.bytes,
      packets: 0,
      startMs: Math.floor(close.startMs),
      endMs: Math.floor(close.endMs),
      exporter: 'gateway',
      state: close.state,
    },
    labels: { reason: close.reason, closes: String(closes) },
  };
}
