/**
 * Incident change announcements (incidents stage): once a write to a case has committed, an
 * `IncidentChange` goes out on `TOPICS.incidents` so the live stream (and through it the
 * dashboard) reloads the case. It is sent after the commit, never inside it: a change is
 * announced only once it is stored, and a bus that fails is logged, never turned into an error
 * for a write that is already done (readers also see it on their next load).
 *
 * @example
 *   await announceIncidentChange({ bus, logger }, { type: 'created', incidentId: incident.id, status: 'new' }, incident.id);
 */
import { TOPICS, type Bus, type IncidentChange } from '../bus/bus.js';

export interface IncidentChangeLogger {
  warn(object: object, message: string): void;
}

/** Where changes are announced; without a bus (tests, the CLI's local assessment) nothing is. */
export interface IncidentAnnouncer {
  bus?: Bus | undefined;
  logger?: IncidentChangeLogger | undefined;
}

/** Publishes one change; `messageId` (the new record's id) lets a redelivered publish count once. */
export async function announceIncidentChange(
  announcer: IncidentAnnouncer,
  change: IncidentChange,
  messageId?: string,
): Promise<void> {
  if (announcer.bus === undefined) return;
  try {
    await announcer.bus.publish<IncidentChange>(
      TOPICS.incidents,
      change,
      messageId === undefined ? {} : { id: messageId },
    );
  } catch (error) {
    announcer.logger?.warn({ err: error, topic: TOPICS.incidents }, 'publishing an incident change failed');
  }
}
