/**
 * The delivery source's entry point for device messages (ingest): `ingestDeliveryMessage(topic,
 * payload)` takes one message as a locker or vehicle published it, and the MQTT subscription
 * (run.ts) and the demo's simulator both call it. In order: the topic names the device; a
 * device over its rate has the message dropped (counted); the payload is parsed and validated
 * (fast-payload.ts settles the common valid payloads, the zod schemas the rest; malformed ones
 * are counted and sampled to the dead letters); a counter already seen is a duplicate
 * (counted, not stored again); the event is written durably. Nothing here throws on bad input.
 *
 * @example
 * const delivery = createDeliveryIngest({ config, writer, deadLetters });
 * await delivery.ingestDeliveryMessage('ensuresec/v1/s1/locker/lk-1/door', '{"seq":1,"state":"open"}');
 * // { status: 'accepted', eventId: 'evt_…' }
 */
import { systemClock, type Clock } from '../../../core/clock.js';
import { createDeadLetterSampler, type DeadLetterSink, type MalformedReason } from '../dead-letter.js';
import { countMalformed } from '../access-log/metrics.js';
import type { SecurityEvent } from '../../../core/records/index.js';
import type { DeliveryConfig } from './config.js';
import { DeviceTable } from './device-table.js';
import type { DeliveryEventWriter } from './event-store-writer.js';
import { fastChannelPayload } from './fast-payload.js';
import { deviceMessageToEvent } from './mapping.js';
import { newDeliveryCounters, type DeliveryCounters } from './metrics.js';
import {
  channelPayloadSchemas,
  DEFAULT_DELIVERY_TOPIC_ROOT,
  MAX_DEVICE_PAYLOAD_BYTES,
  parseDeliveryTopic,
  type ChannelPayloads,
  type DeliveryChannel,
  type DeliveryTopic,
} from './schema.js';

export type DeliveryIngestOutcome =
  | { status: 'accepted'; eventId: string }
  | { status: 'duplicate' }
  | { status: 'rate_limited' }
  | { status: 'malformed'; reason: MalformedReason; detail: string };

export interface DeliveryIngestDependencies {
  config: Pick<DeliveryConfig, 'name' | 'devices' | 'deadLetters'> & { topicRoots?: readonly string[] };
  writer: DeliveryEventWriter;
  deadLetters: DeadLetterSink;
  clock?: Clock;
}

export interface DeliveryIngest {
  readonly counters: DeliveryCounters;
  /**
   * One device message. Resolves when the event is durable (or the message was refused);
   * a caller acknowledging messages (MQTT PUBACK) acknowledges after this.
   */
  ingestDeliveryMessage(
    topic: string,
    payload: Buffer | string | object,
    options?: DeliveryIngestOptions,
  ): Promise<DeliveryIngestOutcome>;
  /**
   * The same, answering at once when it can (the usual case: the writer has room) and with a
   * promise only when it must wait; it throws where `ingestDeliveryMessage` rejects. For the
   * MQTT subscription: a promise and two callbacks less per message.
   */
  ingestDeliveryMessageNow(
    topic: string,
    payload: Buffer | string | object,
    options?: DeliveryIngestOptions,
  ): DeliveryIngestOutcome | Promise<DeliveryIngestOutcome>;
  /** Makes the messages ingested with `deferDurability` durable (one journal write for all). */
  makeDurable(): void;
}

export interface DeliveryIngestOptions {
  /**
   * Group commit: resolve once the event is buffered for the journal, durable only after the
   * next `makeDurable()`. For a caller that acknowledges a batch at once (the MQTT
   * subscription calls `makeDurable()` before its PUBACKs leave the process).
   */
  deferDurability?: boolean;
}

const ISSUES_IN_DETAIL = 3;
const NO_OPTIONS: DeliveryIngestOptions = {};
const WRITE_DEFERRED = { deferred: true } as const;
const WRITE_NOW = { deferred: false } as const;

function parseTopicUnderRoots(
  topic: string,
  roots: readonly string[],
): ReturnType<typeof parseDeliveryTopic> {
  let result: ReturnType<typeof parseDeliveryTopic> = { ok: false, problem: 'not_under_root' };
  for (const root of roots) {
    result = parseDeliveryTopic(topic, root);
    if (result.ok || result.problem !== 'not_under_root') return result;
  }
  return result;
}

export function createDeliveryIngest(deps: DeliveryIngestDependencies): DeliveryIngest {
  const { config, writer } = deps;
  const clock = deps.clock ?? systemClock;
  const roots =
    config.topicRoots && config.topicRoots.length > 0 ? config.topicRoots : [DEFAULT_DELIVERY_TOPIC_ROOT];
  const counters = newDeliveryCounters(config.name);
  const devices = new DeviceTable({
    maxDevices: config.devices.maxDevices,
    ratePerSecond: config.devices.ratePerSecond,
    burst: config.devices.burst,
    seqWindow: config.devices.seqWindow,
  });
  const sampler = createDeadLetterSampler(deps.deadLetters, {
    maxPerMinute: config.deadLetters.maxPerMinute,
    clock,
  });

  function refuse(
    reason: MalformedReason,
    detail: string,
    topic: string,
    input: string,
  ): DeliveryIngestOutcome {
    countMalformed(counters, reason);
    sampler.report({
      source: config.name,
      reason,
      input: `${detail}\n${input}`,
      location: topic.slice(0, 512),
    });
    return { status: 'malformed', reason, detail };
  }

  function decode(
    payload: Buffer | string | object,
    topic: string,
  ): { ok: true; value: unknown } | { ok: false; outcome: DeliveryIngestOutcome } {
    if (typeof payload === 'object' && !Buffer.isBuffer(payload)) return { ok: true, value: payload };
    const size = typeof payload === 'string' ? Buffer.byteLength(payload) : payload.length;
    counters.bytesRead += size;
    if (size > MAX_DEVICE_PAYLOAD_BYTES) {
      const sample = typeof payload === 'string' ? payload.slice(0, 256) : payload.toString('utf8', 0, 256);
      return { ok: false, outcome: refuse('message_too_large', `${size} bytes`, topic, sample) };
    }
    const text = typeof payload === 'string' ? payload : payload.toString('utf8');
    try {
      return { ok: true, value: JSON.parse(text) };
    } catch {
      return { ok: false, outcome: refuse('not_json', 'the payload is not JSON', topic, text) };
    }
  }

  function accepted(eventId: string): DeliveryIngestOutcome {
    counters.events++;
    counters.queued = writer.queued;
    return { status: 'accepted', eventId };
  }

  function write(
    event: SecurityEvent,
    options: DeliveryIngestOptions,
  ): DeliveryIngestOutcome | Promise<DeliveryIngestOutcome> {
    const written = writer.write(event, options.deferDurability === true ? WRITE_DEFERRED : WRITE_NOW);
    return written ? written.then(() => accepted(event.id)) : accepted(event.id);
  }

  function ingestDeliveryMessageNow(
    topicText: string,
    payload: Buffer | string | object,
    options: DeliveryIngestOptions = NO_OPTIONS,
  ): DeliveryIngestOutcome | Promise<DeliveryIngestOutcome> {
    counters.linesRead++;
    const topic = parseTopicUnderRoots(topicText, roots);
    if (!topic.ok) return refuse('delivery_bad_topic', topic.problem, topicText, '');
    const { site, deviceKind, deviceId, channel } = topic.value;
    const deviceKey = `${site}/${deviceKind}/${deviceId}`;
    const nowMs = clock.nowMs();
    const admitted = devices.admit(deviceKey, nowMs);
    counters.devicesTracked = devices.size;
    counters.deviceEvictions = devices.evictions;
    if (!admitted) {
      counters.dropped++;
      return { status: 'rate_limited' };
    }
    const decoded = decode(payload, topicText);
    if (!decoded.ok) return decoded.outcome;
    if (typeof decoded.value !== 'object' || decoded.value === null || Array.isArray(decoded.value)) {
      return refuse('json_not_object', 'the payload must be a JSON object', topicText, preview(payload));
    }
    // A JSON payload the fast path is sure of skips zod; anything else (every refusal) is zod's.
    let data: ChannelPayloads[DeliveryChannel] | undefined =
      typeof payload === 'object' && !Buffer.isBuffer(payload)
        ? undefined
        : fastChannelPayload(channel, decoded.value as Record<string, unknown>);
    if (data === undefined) {
      const parsed = channelPayloadSchemas[channel].safeParse(decoded.value);
      if (!parsed.success) {
        const detail = parsed.error.issues
          .slice(0, ISSUES_IN_DETAIL)
          .map((issue) => `${issue.path.map(String).join('.') || '(payload)'}: ${issue.message}`)
          .join('; ');
        return refuse('delivery_bad_payload', detail, topicText, preview(payload));
      }
      data = parsed.data as ChannelPayloads[DeliveryChannel];
    }
    if (data.seq !== undefined) {
      const verdict = devices.observeSeq(deviceKey, data.seq);
      if (verdict === 'duplicate') {
        counters.duplicates++;
        return { status: 'duplicate' };
      }
      if (verdict === 'out_of_order') counters.outOfOrder++;
      else if (verdict === 'reset') counters.seqResets++;
    }
    const mapped = deviceMessageToEvent(topic.value as DeliveryTopic & { channel: DeliveryChannel }, data, {
      receivedMs: nowMs,
      sourceName: config.name,
      maxClockSkewMs: config.devices.maxClockSkew,
      ...(data.seq === undefined ? { rawPayload: preview(payload) } : {}),
    });
    if (mapped.clockSkewMs !== undefined) counters.clockSkewed++;
    const room = writer.room();
    return room ? room.then(() => write(mapped.event, options)) : write(mapped.event, options);
  }

  function ingestDeliveryMessage(
    topicText: string,
    payload: Buffer | string | object,
    options?: DeliveryIngestOptions,
  ): Promise<DeliveryIngestOutcome> {
    try {
      return Promise.resolve(ingestDeliveryMessageNow(topicText, payload, options));
    } catch (error) {
      return Promise.reject(error instanceof Error ? error : new Error(String(error)));
    }
  }

  return {
    counters,
    ingestDeliveryMessage,
    ingestDeliveryMessageNow,
    makeDurable: () => writer.syncJournal(),
  };
}

function preview(payload: Buffer | string | object): string {
  if (typeof payload === 'string') return payload;
  if (Buffer.isBuffer(payload)) return payload.toString('utf8');
  return JSON.stringify(payload) ?? '';
}
