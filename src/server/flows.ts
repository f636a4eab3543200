/**
 * The flow collector in the composition root: starts `ingest.flows` writing into the
 * runtime's event sink and registers its metrics. The default listener (127.0.0.1:2055,
 * `listen` unset) and every listener of `ensuresec demo` are best effort: a taken port is a
 * warning and the server runs without the collector. A `listen` the user wrote in
 * `ensuresec start` must be bound, or the start fails with `port_in_use`.
 *
 * @example const flows = await startFlows({ config, events, metricsRegistry, bestEffort: false, logger, clock });
 */
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import type { Clock } from '../core/clock.js';
import { EnsuresecError } from '../core/errors.js';
import type { EventSink } from '../ingest/event-sink.js';
import { eventSinkWriter } from '../ingest/sources/event-writer.js';
import { flowListenAddress } from '../ingest/sources/flow/config.js';
import { registerFlowMetrics } from '../ingest/sources/flow/metrics.js';
import { startFlowSource, type RunningFlowSource } from '../ingest/sources/flow/run.js';
import type { EnsuresecConfig } from './config/schema.js';

export interface StartFlowsOptions {
  config: EnsuresecConfig;
  events: EventSink;
  metricsRegistry: Registry;
  /** True in `ensuresec demo`: any bind failure is a warning. */
  bestEffort: boolean;
  logger: Logger;
  clock: Clock;
}

export async function startFlows(options: StartFlowsOptions): Promise<RunningFlowSource | null> {
  const settings = options.config.ingest.flows;
  if (!settings.enabled) return null;
  let running: RunningFlowSource;
  try {
    running = await startFlowSource(settings, {
      writer: eventSinkWriter(options.events),
      logger: options.logger,
      clock: options.clock,
    });
  } catch (error) {
    const optional = options.bestEffort || settings.listen === undefined;
    if (!(optional && error instanceof EnsuresecError && error.code === 'port_in_use')) throw error;
    const { host, port } = flowListenAddress(settings);
    options.logger.warn(
      { code: error.code, listen: `${host}:${port}` },
      'the flow collector could not bind its port and is off; set ingest.flows.listen to a free address',
    );
    return null;
  }
  registerFlowMetrics(options.metricsRegistry, () => [running.counters]);
  return running;
}
