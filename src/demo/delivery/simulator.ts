/**
 * The demo's delivery simulator (demo): plays the city's scripts (a benign day, the named
 * incidents) in real time. Device messages go out as lockers and vehicles send them, on
 * engineer A's topic tree (`ensuresec/v1/<site>/<kind>/<id>/<channel>`) with a per-device
 * `seq` and the device's `time`: over MQTT when a broker is configured (mqtt-publisher.ts),
 * else in-process through the delivery source's `ingestDeliveryMessage`. Carrier and
 * delivery-API events are mapped as the delivery API maps them and shop events as the shop
 * source does, then handed to the event sink: the same SecurityEvents the detectors see from
 * real sources.
 *
 * @example
 *   const sim = createDeliverySimulator({ city: createCity(), sinks, clock: systemClock });
 *   await sim.play(DELIVERY_INCIDENTS['locker-break-in'](sim.city));
 */
import type { Clock } from '../../core/clock.js';
import { ulid } from '../../core/ids.js';
import type { SecurityEvent } from '../../core/records/index.js';
import { deliveryApiEventToEvent } from '../../ingest/sources/delivery/mapping.js';
import {
  deliveryTopic,
  type DeliveryChannel,
  type DeliveryApiEvent,
} from '../../ingest/sources/delivery/schema.js';
import { businessEventToSecurityEvent } from '../../ingest/sources/shop/business-event.js';
import type { City } from './city.js';
import {
  benignDay,
  DELIVERY_INCIDENTS,
  type DeliveryIncidentName,
  type Script,
  type ScriptStep,
} from './scripts.js';

export interface DeliverySinks {
  /** One device message on its topic (MQTT publish or `ingestDeliveryMessage`). */
  device(topic: string, payload: Record<string, unknown>): Promise<unknown>;
  /** One carrier, delivery-API or shop event, already a SecurityEvent. */
  event(event: SecurityEvent): void | Promise<void>;
}

export interface DeliverySimulatorOptions {
  city: City;
  sinks: DeliverySinks;
  clock: Clock;
  /** Waits `ms` (real time); tests pass one that advances a manual clock. */
  sleep?: (ms: number, signal: AbortSignal) => Promise<void>;
  site?: string;
  topicRoot?: string;
}

export interface PlayStats {
  script: string;
  deviceMessages: number;
  events: number;
  failed: number;
}

export interface DeliverySimulator {
  readonly city: City;
  /** Plays a script to its end (or until `signal` aborts). */
  play(script: Script, signal?: AbortSignal): Promise<PlayStats>;
  /** Plays the benign day then the named incidents, in order. */
  run(incidents: readonly DeliveryIncidentName[], signal?: AbortSignal): Promise<PlayStats[]>;
}

const realSleep = (ms: number, signal: AbortSignal) =>
  new Promise<void>((resolve) => {
    if (signal.aborted || ms <= 0) return resolve();
    const done = () => {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal.addEventListener('abort', done, { once: true });
  });

export function createDeliverySimulator(options: DeliverySimulatorOptions): DeliverySimulator {
  const { city, sinks, clock } = options;
  const sleep = options.sleep ?? realSleep;
  const site = options.site ?? 'demo-city';
  const seqs = new Map<string, number>();

  async function send(step: ScriptStep, stats: PlayStats): Promise<void> {
    const nowMs = clock.nowMs();
    if (step.kind === 'device') {
      const topic = deliveryTopic(
        {
          site,
          deviceKind: step.deviceKind,
          deviceId: step.deviceId,
          channel: step.channel as DeliveryChannel,
        },
        options.topicRoot,
      );
      const key = `${step.deviceKind}/${step.deviceId}`;
      const seq = (seqs.get(key) ?? 0) + 1;
      seqs.set(key, seq);
      await sinks.device(topic, { ...step.payload, seq, time: new Date(nowMs).toISOString() });
      stats.deviceMessages++;
      return;
    }
    const event =
      step.kind === 'shop'
        ? businessEventToSecurityEvent(step.event, 'demo-shop', nowMs)
        : deliveryApiEventToEvent('demo-simulator', 'demo-carrier', {
            ...step.item,
            id: `sim-${ulid(nowMs)}`,
            time: new Date(nowMs).toISOString(),
          } as DeliveryApiEvent);
    await sinks.event(event);
    stats.events++;
  }

  async function play(
    script: Script,
    signal: AbortSignal = new AbortController().signal,
  ): Promise<PlayStats> {
    const stats: PlayStats = { script: script.name, deviceMessages: 0, events: 0, failed: 0 };
    let elapsedMs = 0;
    for (const step of script.steps) {
      if (signal.aborted) break;
      if (step.atMs > elapsedMs) {
        await sleep(step.atMs - elapsedMs, signal);
        elapsedMs = step.atMs;
      }
      try {
        await send(step, stats);
      } catch {
        // A refused message is the ingest's to count; the simulator goes on like a real device.
        stats.failed++;
      }
    }
    return stats;
  }

  return {
    city,
    play,
    async run(incidents, signal) {
      const results = [await play(benignDay(city), signal)];
      for (const name of incidents) results.push(await play(DELIVERY_INCIDENTS[name](city), signal));
      return results;
    },
  };
}
