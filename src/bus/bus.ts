/**
 * The Bus interface: carries records between stages. In-process by default
 * (`MemoryBus`); shaped so NATS JetStream fits later:
 * - at-least-once: a handler that resolves acknowledges; one that throws (or outlives
 *   `ackWaitMs`) gets the message again after a backoff, up to `maxDeliver` times, then
 *   the message goes to `<topic>.dead`;
 * - consumer groups: subscribers sharing a `group` split the messages, each message to one;
 *   different groups each get every message;
 * - idempotency: a message carries a stable `id`; publishing the same id twice within the
 *   dedupe window delivers it once, and handlers can use `id` to skip what they have done.
 */

export interface BusMessage<T> {
  id: string;
  topic: string;
  data: T;
  publishedAtMs: number;
  /** 1 on first delivery. */
  deliveryCount: number;
}

export type BusHandler<T> = (message: BusMessage<T>) => Promise<void> | void;

export interface SubscribeOptions {
  /** Consumer group (a JetStream durable consumer name). */
  group: string;
  /** Deliveries before the message is dead-lettered; default 5. */
  maxDeliver?: number;
  /** A handler still running after this is treated as failed; default 30 000. */
  ackWaitMs?: number;
  /** Delay before each redelivery, the last repeated; default [100, 1000, 5000]. */
  backoffMs?: number[];
  /** Messages handled at once per subscriber; default 1 (in order). */
  concurrency?: number;
}

export interface Subscription {
  unsubscribe(): Promise<void>;
}

export interface PublishOptions {
  /** Stable id for deduplication; a new one is made when absent. */
  id?: string;
}

export interface Bus {
  publish<T>(topic: string, data: T, options?: PublishOptions): Promise<string>;
  subscribe<T>(topic: string, handler: BusHandler<T>, options: SubscribeOptions): Subscription;
  /** Resolves when every message published so far has been acknowledged or dead-lettered. */
  drain(): Promise<void>;
  close(): Promise<void>;
}

/** Topic names every stage uses. */
export const TOPICS = {
  events: 'ensuresec.events',
  alerts: 'ensuresec.alerts',
  decisions: 'ensuresec.decisions',
  incidents: 'ensuresec.incidents',
  findings: 'ensuresec.findings',
  modes: 'ensuresec.modes',
} as const;

/** What travels on `TOPICS.decisions`: a decision was created or deleted. */
export type DecisionChange =
  | { type: 'created'; decision: import('../core/records/index.js').Decision }
  | { type: 'deleted'; id: string };

/** What travels on `TOPICS.modes`: a fail-safe mode was switched on (or extended) or off. */
export interface ModeChange {
  type: 'enabled' | 'disabled';
  name: string;
}

/**
 * What travels on `TOPICS.incidents`: an incident was opened, or its case changed (its fields,
 * its status, or a new timeline entry: an assessment, impact figures, a report override, …).
 * A nudge to reload the case, so it carries no title, summary or personal data.
 */
export interface IncidentChange {
  type: 'created' | 'updated';
  incidentId: string;
  status: import('../core/records/index.js').Incident['status'];
}
