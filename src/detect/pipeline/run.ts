/**
 * Detection in a running server (detect/pipeline): takes the events the event sink publishes
 * on the bus (`TOPICS.events`, in order, one consumer group), runs them through the pipeline,
 * stores the alerts through the writer and publishes each new one on `TOPICS.alerts` once it
 * is stored. The handler never waits for the store, so a slow store does not stall the bus.
 *
 * @example
 * const detection = runDetection({ bus, ledger, pipeline, logger });
 * await detection.close();
 */
import type { Logger } from 'pino';
import { TOPICS, type Bus } from '../../bus/bus.js';
import type { SecurityEvent } from '../../core/records/index.js';
import type { LedgerWriter } from '../../ledger/service.js';
import type { DetectionPipeline, DetectionPipelineStats } from './pipeline.js';
import { createAlertWriter, type AlertWriterStats } from './writer.js';

export interface RunDetectionOptions {
  bus: Bus;
  ledger: LedgerWriter;
  pipeline: DetectionPipeline;
  logger: Logger;
  updateFlushMs?: number;
}

export interface RunningDetection {
  stats(): { pipeline: DetectionPipelineStats; writer: AlertWriterStats };
  /** Resolves when every alert raised so far is stored and published. */
  flush(): Promise<void>;
  close(): Promise<void>;
}

export function runDetection(options: RunDetectionOptions): RunningDetection {
  const { bus, pipeline, logger } = options;
  const writer = createAlertWriter({
    ledger: options.ledger,
    ...(options.updateFlushMs !== undefined ? { updateFlushMs: options.updateFlushMs } : {}),
    onCreated: async (alert) => {
      await bus.publish(TOPICS.alerts, alert, { id: alert.id });
    },
    onError: (error, alert) => logger.error({ err: error, alertId: alert.id }, 'could not store an alert'),
  });
  const subscription = bus.subscribe<SecurityEvent>(
    TOPICS.events,
    (message) => writer.write(pipeline.observe(message.data)),
    { group: 'detect' },
  );
  return {
    stats: () => ({ pipeline: pipeline.stats(), writer: writer.stats() }),
    flush: () => writer.flush(),
    async close() {
      // Events already on the bus are still detected; the bus closes after this stage.
      await bus.drain();
      await subscription.unsubscribe();
      await writer.close();
    },
  };
}
