/**
 * MemoryBus: the in-process Bus of the embedded deployment. Same contract as JetStream
 * (see bus.ts): at-least-once per consumer group, acknowledgement by resolving,
 * redelivery with backoff, dead letters after `maxDeliver`, dedupe by message id.
 * Messages live in memory only: what must survive a crash is written to the Store first.
 */
import { newId } from '../../core/ids.js';
import type { Bus, BusHandler, BusMessage, PublishOptions, SubscribeOptions, Subscription } from '../bus.js';

const DEFAULT_MAX_DELIVER = 5;
const DEFAULT_ACK_WAIT_MS = 30_000;
const DEFAULT_BACKOFF_MS = [100, 1000, 5000];

interface Member {
  handler: BusHandler<unknown>;
  concurrency: number;
  running: number;
}

interface Group {
  topic: string;
  name: string;
  options: Required<Omit<SubscribeOptions, 'group' | 'concurrency'>>;
  members: Member[];
  queue: BusMessage<unknown>[];
  nextMember: number;
  seenIds: Map<string, number>;
}

export interface MemoryBusOptions {
  /** How long a published id is remembered for deduplication; default 120 000. */
  dedupeWindowMs?: number;
  /** Called when a handler fails (for logs and metrics); the message is redelivered or dead-lettered. */
  onHandlerError?: (error: unknown, message: BusMessage<unknown>, group: string) => void;
}

export class MemoryBus implements Bus {
  private readonly groups = new Map<string, Group[]>();
  private pending = 0;
  private idleWaiters: (() => void)[] = [];
  private closed = false;
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly dedupeWindowMs: number;

  constructor(private readonly options: MemoryBusOptions = {}) {
    this.dedupeWindowMs = options.dedupeWindowMs ?? 120_000;
  }

  async publish<T>(topic: string, data: T, options: PublishOptions = {}): Promise<string> {
    if (this.closed) throw new Error('bus is closed');
    const id = options.id ?? newId('msg');
    const now = Date.now();
    for (const group of this.groups.get(topic) ?? []) {
      if (this.isDuplicate(group, id, now)) continue;
      this.pending++;
      group.queue.push({ id, topic, data, publishedAtMs: now, deliveryCount: 0 });
      this.pump(group);
    }
    return id;
  }

  subscribe<T>(topic: string, handler: BusHandler<T>, options: SubscribeOptions): Subscription {
    const groups = this.groups.get(topic) ?? [];
    this.groups.set(topic, groups);
    let group = groups.find((candidate) => candidate.name === options.group);
    if (!group) {
      group = {
        topic,
        name: options.group,
        options: {
          maxDeliver: options.maxDeliver ?? DEFAULT_MAX_DELIVER,
          ackWaitMs: options.ackWaitMs ?? DEFAULT_ACK_WAIT_MS,
          backoffMs: options.backoffMs ?? DEFAULT_BACKOFF_MS,
        },
        members: [],
        queue: [],
        nextMember: 0,
        seenIds: new Map(),
      };
      groups.push(group);
    }
    const member: Member = {
      handler: handler as BusHandler<unknown>,
      concurrency: Math.max(1, options.concurrency ?? 1),
      running: 0,
    };
    group.members.push(member);
    const owner = group;
    return {
      unsubscribe: async () => {
        owner.members = owner.members.filter((candidate) => candidate !== member);
      },
    };
  }

  drain(): Promise<void> {
    if (this.pending === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
    this.groups.clear();
    this.pending = 0;
    this.settle();
  }

  private isDuplicate(group: Group, id: string, now: number): boolean {
    const seenAt = group.seenIds.get(id);
    if (seenAt !== undefined && now - seenAt < this.dedupeWindowMs) return true;
    group.seenIds.set(id, now);
    if (group.seenIds.size > 10_000) {
      for (const [seenId, time] of group.seenIds) {
        if (now - time < this.dedupeWindowMs) break;
        group.seenIds.delete(seenId);
      }
    }
    return false;
  }

  private pump(group: Group): void {
    while (group.queue.length > 0) {
      const member = this.pickMember(group);
      if (!member) return;
      const message = group.queue.shift() as BusMessage<unknown>;
      void this.deliver(group, member, message);
    }
  }

  private pickMember(group: Group): Member | undefined {
    const count = group.members.length;
    for (let i = 0; i < count; i++) {
      const member = group.members[(group.nextMember + i) % count];
      if (member && member.running < member.concurrency) {
        group.nextMember = (group.nextMember + i + 1) % count;
        return member;
      }
    }
    return undefined;
  }

  private async deliver(group: Group, member: Member, message: BusMessage<unknown>): Promise<void> {
    member.running++;
    const delivery = { ...message, deliveryCount: message.deliveryCount + 1 };
    let ackTimer: NodeJS.Timeout | undefined;
    try {
      // The handler runs after the publisher's turn, as it would with JetStream.
      await Promise.resolve();
      const result = member.handler(delivery);
      // A handler that returned (or threw) synchronously cannot outlive the ack wait: only
      // one that returned a promise gets the timer. Starting and clearing a timer for every
      // delivery cost 13 % of the delivery ingest's CPU (bench:delivery) for synchronous
      // handlers such as the detection pipeline's.
      if (isThenable(result)) {
        await Promise.race([
          result,
          new Promise<never>((_, reject) => {
            ackTimer = setTimeout(
              () => reject(new Error(`no ack within ${group.options.ackWaitMs} ms`)),
              group.options.ackWaitMs,
            );
          }),
        ]);
      }
      this.finish();
    } catch (error) {
      this.options.onHandlerError?.(error, delivery, group.name);
      this.retryOrDeadLetter(group, delivery);
    } finally {
      if (ackTimer) clearTimeout(ackTimer);
      member.running--;
      if (!this.closed) this.pump(group);
    }
  }

  private retryOrDeadLetter(group: Group, message: BusMessage<unknown>): void {
    if (this.closed) return;
    if (message.deliveryCount >= group.options.maxDeliver) {
      const deadTopic = `${group.topic}.dead`;
      void this.publish(deadTopic, { message, group: group.name }).finally(() => this.finish());
      return;
    }
    const backoff = group.options.backoffMs;
    const delayMs = backoff[Math.min(message.deliveryCount - 1, backoff.length - 1)] ?? 0;
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      group.queue.push(message);
      this.pump(group);
    }, delayMs);
    this.timers.add(timer);
  }

  private finish(): void {
    this.pending = Math.max(0, this.pending - 1);
    this.settle();
  }

  private settle(): void {
    if (this.pending !== 0) return;
    const waiters = this.idleWaiters;
    this.idleWaiters = [];
    for (const resolve of waiters) resolve();
  }
}

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return (
    typeof value === 'object' && value !== null && typeof (value as { then?: unknown }).then === 'function'
  );
}
