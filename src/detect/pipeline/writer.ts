/**
 * The alert writer (detect/pipeline): stores the pipeline's alert changes through the
 * ledger, so every alert is on record. A new alert is committed at once (`alert.created`);
 * the detections folded into an open alert are coalesced per alert and committed every
 * `updateFlushMs` (`alert.updated`, keeping the status an analyst gave it), so a burst of a
 * thousand matches is one create and a few updates, not a thousand writes. `write` never
 * blocks the caller; beyond `maxInFlight` new alerts waiting for the store, more are dropped
 * and counted (the store is down or far too slow). A new alert whose rule an analyst suppressed
 * for its entity (marked a false positive, see `store.alertSuppressions`) is not raised: it is
 * counted as `suppressed` and neither stored nor logged.
 *
 * @example
 * const writer = createAlertWriter({ ledger, onCreated: (alert) => bus.publish(TOPICS.alerts, alert) });
 * writer.write(pipeline.observe(event));
 * await writer.close();
 */
import { alertEntity, suppressionEntityKey, type Alert } from '../../core/records/index.js';
import type { LedgerWriter } from '../../ledger/service.js';
import type { AlertChange } from './grouping.js';

export interface AlertWriterOptions {
  ledger: LedgerWriter;
  /** Longest a group update waits before it is written; default 1000. */
  updateFlushMs?: number;
  /** New alerts committing at once at most; default 10,000. */
  maxInFlight?: number;
  /** After an alert is stored and logged (publish it). */
  onCreated?(alert: Alert): void | Promise<void>;
  onError?(error: unknown, alert: Alert): void;
}

export interface AlertWriterStats {
  created: number;
  updated: number;
  failed: number;
  dropped: number;
  /** New alerts not raised because a tuning entry suppresses their rule for their entity. */
  suppressed: number;
  pendingUpdates: number;
  inFlight: number;
}

export interface AlertWriter {
  write(changes: readonly AlertChange[]): void;
  /** Resolves when everything written so far is stored. */
  flush(): Promise<void>;
  close(): Promise<void>;
  stats(): AlertWriterStats;
}

export function createAlertWriter(options: AlertWriterOptions): AlertWriter {
  const { ledger } = options;
  const maxInFlight = options.maxInFlight ?? 10_000;
  const counts = { created: 0, updated: 0, failed: 0, dropped: 0, suppressed: 0 };
  const pendingUpdates = new Map<string, Alert>();
  const inFlight = new Set<Promise<void>>();
  let creating = 0;
  let closed = false;

  const timer = setInterval(() => void flushUpdates(), options.updateFlushMs ?? 1000);
  timer.unref();

  function track(work: Promise<void>): void {
    inFlight.add(work);
    void work.finally(() => inFlight.delete(work));
  }

  function fail(error: unknown, alert: Alert): void {
    counts.failed++;
    options.onError?.(error, alert);
  }

  function create(alert: Alert): void {
    if (creating >= maxInFlight) {
      counts.dropped++;
      return;
    }
    creating++;
    track(
      ledger
        .commit({
          kind: 'alert.created',
          actor: 'system',
          write: async (tx) => {
            const entityKey = suppressionEntityKey(alertEntity(alert));
            if (await tx.alertSuppressions.matches(alert.ruleId, entityKey)) return undefined;
            await tx.alerts.insert(alert);
            return alert;
          },
        })
        .then(async (stored) => {
          if (!stored) {
            counts.suppressed++;
            return;
          }
          counts.created++;
          await options.onCreated?.(stored);
        })
        .catch((error: unknown) => fail(error, alert))
        .finally(() => creating--),
    );
  }

  function update(alert: Alert): void {
    track(
      ledger
        .commit({
          kind: 'alert.updated',
          actor: 'system',
          write: (tx) =>
            tx.alerts.updateGroup(alert.id, {
              eventIds: alert.eventIds,
              severity: alert.severity,
              ...(alert.count !== undefined ? { count: alert.count } : {}),
              ...(alert.lastSeen !== undefined ? { lastSeen: alert.lastSeen } : {}),
              ...(alert.evidence !== undefined ? { evidence: alert.evidence } : {}),
            }),
        })
        .then(() => {
          counts.updated++;
        })
        .catch((error: unknown) => fail(error, alert)),
    );
  }

  function flushUpdates(): void {
    if (pendingUpdates.size === 0) return;
    const batch = [...pendingUpdates.values()];
    pendingUpdates.clear();
    // Committed after the creates already queued: the ledger keeps call order, so an update never overtakes its alert.
    for (const alert of batch) update(alert);
  }

  async function settle(): Promise<void> {
    flushUpdates();
    while (inFlight.size > 0) await Promise.all([...inFlight]);
  }

  return {
    write(changes) {
      if (closed) return;
      for (const change of changes) {
        if (change.type === 'created') create(change.alert);
        else pendingUpdates.set(change.alert.id, change.alert);
      }
      if (pendingUpdates.size >= maxInFlight) flushUpdates();
    },
    flush: settle,
    async close() {
      closed = true;
      clearInterval(timer);
      await settle();
    },
    stats: () => ({ ...counts, pendingUpdates: pendingUpdates.size, inFlight: inFlight.size }),
  };
}
