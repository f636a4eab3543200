/** What the outbox worker hands a message to (response / outbox): one sender per channel. */
import type { OutboxMessage } from '../../store/store.js';

export interface NoticeSender {
  /** Resolves once the receiving server accepted the message; throws (a DeliveryError or any error) otherwise. */
  send(message: OutboxMessage): Promise<void>;
  close?(): Promise<void>;
}
