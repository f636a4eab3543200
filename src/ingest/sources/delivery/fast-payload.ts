/**
 * The fast path of device payload validation (ingest, delivery source): a hand-written check
 * of a channel's payload that answers either "valid, and here is what the zod schema would
 * output" or "not sure". The zod schemas in schema.ts stay the reference: whatever this does
 * not accept (every invalid payload, and the rare valid one it does not handle, such as one
 * with `attributes`) goes through zod, which gives the refusal and its message. So the
 * outcome and the error codes are zod's by construction; fast-payload.test.ts checks on the
 * fixtures and on generated payloads that this accepts exactly what zod accepts (`attributes`
 * aside) and outputs the same value. zod's generic object parsing was a tenth of the source's
 * CPU per message.
 *
 * Only for JSON-decoded payloads (plain objects of strings, numbers, booleans, null, arrays
 * and objects): an object handed over in-process may hold anything, and goes through zod.
 *
 * @example
 * fastChannelPayload('battery', JSON.parse('{"seq":3,"value":80}')); // { seq: 3, value: 80 }
 * fastChannelPayload('battery', JSON.parse('{"seq":3,"value":800}')); // undefined: ask zod
 */
import { isoTimestamp } from '../../../core/records/index.js';
import type { ChannelPayloads, DeliveryChannel } from './schema.js';

type Check = (value: unknown) => boolean;

interface Field {
  key: string;
  check: Check;
  required?: boolean;
  /** Output when the key is absent (zod's `.default`). */
  absent?: string;
}

/**
 * zod's ISO 8601 pattern, taken from the schema so the two cannot drift; if a zod version
 * stops exposing it, string times simply go through zod.
 */
const zodInternals = (isoTimestamp as unknown as { _zod?: { pattern?: unknown } })._zod;
const ISO_PATTERN = zodInternals?.pattern instanceof RegExp ? zodInternals.pattern : undefined;

const text =
  (min: number, max: number): Check =>
  (value) =>
    typeof value === 'string' && value.length >= min && value.length <= max;
/** A finite number within [min, max] (NaN and the infinities fail the comparisons). */
const number =
  (min: number, max: number): Check =>
  (value) =>
    typeof value === 'number' && value >= min && value <= max;
/** zod's `.int()`: a safe integer, here within [min, max]. */
const integer =
  (min: number, max: number): Check =>
  (value) =>
    typeof value === 'number' && Number.isSafeInteger(value) && value >= min && value <= max;
const oneOf = (...values: string[]): Check => {
  const set = new Set(values);
  return (value) => typeof value === 'string' && set.has(value);
};
const boolean: Check = (value) => typeof value === 'boolean';
const deviceTime: Check = (value) =>
  typeof value === 'number'
    ? Number.isSafeInteger(value) && value >= 946_684_800_000 && value <= 4_102_444_800_000
    : typeof value === 'string' && ISO_PATTERN !== undefined && ISO_PATTERN.test(value);
/** Not handled here: a payload carrying it goes through zod (the record's refinements). */
const handledByZod: Check = () => false;

const id = text(1, 128);
const common: Field[] = [
  { key: 'seq', check: integer(0, Number.MAX_SAFE_INTEGER) },
  { key: 'time', check: deviceTime },
  { key: 'parcelId', check: id },
  { key: 'orderId', check: id },
  { key: 'carrier', check: text(1, 128) },
  { key: 'driverId', check: text(1, 256) },
  { key: 'lat', check: number(-90, 90) },
  { key: 'lon', check: number(-180, 180) },
  { key: 'accuracyM', check: number(0, 1_000_000) },
  { key: 'attributes', check: handledByZod },
];
/** `common` with `lat` and `lon` required (the position channels). */
const positioned: Field[] = common.map((field) =>
  field.key === 'lat' || field.key === 'lon' ? { ...field, required: true } : field,
);
const compartment = text(1, 64);

/** Each channel's fields, as schema.ts's `channelPayloadSchemas` declares them. */
const FIELDS: Record<DeliveryChannel, readonly Field[]> = {
  door: [
    ...common,
    { key: 'compartmentId', check: compartment },
    { key: 'state', check: oneOf('open', 'closed', 'forced'), required: true },
    { key: 'codeValid', check: boolean },
  ],
  compartment: [
    ...common,
    { key: 'compartmentId', check: compartment, required: true },
    { key: 'state', check: oneOf('occupied', 'empty'), required: true },
  ],
  tamper: [
    ...common,
    { key: 'compartmentId', check: compartment },
    { key: 'state', check: oneOf('triggered', 'cleared'), required: true },
  ],
  pickup: [
    ...common,
    { key: 'compartmentId', check: compartment },
    { key: 'codeValid', check: boolean, required: true },
    { key: 'action', check: oneOf('pickup', 'dropoff'), absent: 'pickup' },
  ],
  temperature: [
    ...common,
    { key: 'compartmentId', check: compartment },
    { key: 'value', check: number(-100, 200), required: true },
  ],
  battery: [...common, { key: 'value', check: number(0, 100), required: true }],
  heartbeat: [
    ...common,
    { key: 'uptimeS', check: integer(0, Number.MAX_SAFE_INTEGER) },
    { key: 'firmware', check: text(1, 64) },
  ],
  gps: [
    ...positioned,
    { key: 'speedKmh', check: number(0, 400) },
    { key: 'headingDeg', check: number(0, 360) },
  ],
  stop: [
    ...positioned,
    { key: 'state', check: oneOf('started', 'ended'), absent: 'started' },
    { key: 'durationS', check: integer(0, 7 * 86_400) },
  ],
};

/**
 * The channel's payload as zod would output it (known keys only, defaults filled in), or
 * undefined when it is not certainly valid: then ask zod.
 */
export function fastChannelPayload<C extends DeliveryChannel>(
  channel: C,
  payload: Record<string, unknown>,
): ChannelPayloads[C] | undefined {
  const out: Record<string, unknown> = {};
  for (const field of FIELDS[channel]) {
    const value = payload[field.key];
    if (value === undefined) {
      if (field.required) return undefined;
      if (field.absent !== undefined) out[field.key] = field.absent;
      continue;
    }
    if (!field.check(value)) return undefined;
    out[field.key] = value;
  }
  // The fields above are the schema's, each checked as the schema checks it.
  return out as ChannelPayloads[C];
}
