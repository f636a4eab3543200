/**
 * Fair scheduling between senders (ingest, syslog source): each sender (a TCP connection,
 * a UDP peer) has its own bounded queue, and batches for the EventWriter are made round
 * robin, at most `perTurn` events from each sender per round. A sender that floods only
 * fills its own queue; its connection is paused until the queue drains below half (TCP
 * pushes back on the sender), or its datagrams are dropped and counted (UDP cannot wait).
 *
 * @example
 * const queue = new FairQueue(writer, { maxQueuedPerSender: 1000 });
 * if (!queue.offer('tcp#7', events)) { socket.pause(); queue.whenBelowHalf('tcp#7', () => socket.resume()); }
 */
import type { SecurityEvent } from '../../../core/records/index.js';
import type { EventWriter } from '../event-writer.js';

export interface FairQueueOptions {
  /** Events queued per sender before it is paused; default 1000. */
  maxQueuedPerSender?: number;
  /** Events a sender contributes to one batch per round; default 100. */
  perTurn?: number;
  /** Events per write; default 500. */
  batchSize?: number;
  onWriteError?: (error: unknown, events: number) => void;
}

interface SenderQueue {
  events: SecurityEvent[];
  onBelowHalf: (() => void) | null;
}

export class FairQueue {
  private readonly senders = new Map<string, SenderQueue>();
  private readonly maxQueued: number;
  private readonly perTurn: number;
  private readonly batchSize: number;
  private pumping: Promise<void> | null = null;

  constructor(
    private readonly writer: EventWriter,
    private readonly options: FairQueueOptions = {},
  ) {
    this.maxQueued = options.maxQueuedPerSender ?? 1000;
    this.perTurn = options.perTurn ?? 100;
    this.batchSize = options.batchSize ?? 500;
  }

  /** Queues a sender's events; false when its queue is now full (pause it, or drop for UDP). */
  offer(sender: string, events: SecurityEvent[]): boolean {
    let queue = this.senders.get(sender);
    if (!queue) {
      queue = { events: [], onBelowHalf: null };
      this.senders.set(sender, queue);
    }
    for (const event of events) queue.events.push(event);
    this.pump();
    return queue.events.length < this.maxQueued;
  }

  /** Whether the sender could take more now (UDP checks before parsing). */
  hasRoom(sender: string): boolean {
    return (this.senders.get(sender)?.events.length ?? 0) < this.maxQueued;
  }

  /** Calls `resume` once the sender's queue is below half its bound. */
  whenBelowHalf(sender: string, resume: () => void): void {
    const queue = this.senders.get(sender);
    if (!queue || queue.events.length < this.maxQueued / 2) resume();
    else queue.onBelowHalf = resume;
  }

  /** Resolves when every queued event was written. */
  async drain(): Promise<void> {
    while (this.pumping) await this.pumping;
  }

  queued(): number {
    let total = 0;
    for (const queue of this.senders.values()) total += queue.events.length;
    return total;
  }

  private pump(): void {
    if (this.pumping) return;
    this.pumping = this.run().finally(() => {
      this.pumping = null;
      if (this.queued() > 0) this.pump();
    });
  }

  private async run(): Promise<void> {
    // Let the other senders' data of this turn of the event loop be queued first.
    await new Promise((resolve) => setImmediate(resolve));
    for (let batch = this.nextBatch(); batch.length > 0; batch = this.nextBatch()) {
      try {
        await this.writer.write(batch);
      } catch (error) {
        this.options.onWriteError?.(error, batch.length);
      }
    }
  }

  private nextBatch(): SecurityEvent[] {
    const batch: SecurityEvent[] = [];
    let before = -1;
    while (batch.length < this.batchSize && this.senders.size > 0 && batch.length > before) {
      before = batch.length;
      for (const [sender, queue] of this.senders) {
        const take = queue.events.splice(0, Math.min(this.perTurn, this.batchSize - batch.length));
        for (const event of take) batch.push(event);
        if (queue.events.length < this.maxQueued / 2 && queue.onBelowHalf) {
          const resume = queue.onBelowHalf;
          queue.onBelowHalf = null;
          resume();
        }
        if (queue.events.length === 0 && !queue.onBelowHalf) this.senders.delete(sender);
        if (batch.length >= this.batchSize) break;
      }
    }
    return batch;
  }
}
