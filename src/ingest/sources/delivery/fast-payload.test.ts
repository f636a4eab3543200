/**
 * The fast path of payload validation against its reference, the zod schemas: on the device
 * fixtures, on every field set to values on and past its bounds, and on seeded random
 * combinations of those, the fast path accepts exactly what zod accepts (payloads with
 * `attributes` aside, which it leaves to zod) and outputs the same value, and accepts nothing
 * zod refuses.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { SeededRandom } from '../../../core/seeded-random.js';
import { fastChannelPayload } from './fast-payload.js';
import { ALL_CHANNELS, channelPayloadSchemas, type DeliveryChannel } from './schema.js';

interface DeviceCases {
  valid: { name: string; channel: DeliveryChannel; payload: Record<string, unknown> }[];
  invalid: { name: string; topic: string; payload: string; reason: string }[];
}
interface Edges {
  bases: Record<DeliveryChannel, Record<string, unknown>>;
  keys: string[];
  edges: unknown[];
}

const deviceCases = JSON.parse(
  readFileSync(new URL('./fixtures/device-messages.json', import.meta.url), 'utf8'),
) as DeviceCases;
const fixture = JSON.parse(
  readFileSync(new URL('./fixtures/payload-edges.json', import.meta.url), 'utf8'),
) as Edges;

/** `{ "$repeat": n }` in the fixture: a string of n letters, at any depth. */
function expand(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(expand);
  if (typeof value === 'object' && value !== null) {
    const record = value as Record<string, unknown>;
    if (typeof record['$repeat'] === 'number') return 'x'.repeat(record['$repeat']);
    return Object.fromEntries(Object.entries(record).map(([key, inner]) => [key, expand(inner)]));
  }
  return value;
}
const edges = fixture.edges.map(expand);

/** What the source hands the validator: the payload as JSON text, parsed. */
function decoded(payload: Record<string, unknown>): Record<string, unknown> {
  return JSON.parse(JSON.stringify(payload)) as Record<string, unknown>;
}

/** A copy of `payload` with `key` set as an own property (even `__proto__`), or removed. */
function withKey(payload: Record<string, unknown>, key: string, value: unknown): Record<string, unknown> {
  const copy = { ...payload };
  if (value === undefined) delete copy[key];
  else Object.defineProperty(copy, key, { value, enumerable: true, writable: true, configurable: true });
  return copy;
}

interface Verdict {
  zodAccepts: boolean;
  fastAccepts: boolean;
}

/** Checks one payload; returns what each side said. */
function compare(channel: DeliveryChannel, payload: Record<string, unknown>): Verdict {
  const input = decoded(payload);
  const reference = channelPayloadSchemas[channel].safeParse(input);
  const fast = fastChannelPayload(channel, input);
  const context = `${channel} ${JSON.stringify(payload).slice(0, 300)}`;
  if (fast !== undefined) {
    expect(reference.success, `the fast path accepted what zod refuses: ${context}`).toBe(true);
    expect(fast, context).toStrictEqual(reference.data);
  } else if (reference.success && !Object.hasOwn(input, 'attributes')) {
    expect.fail(`the fast path left a valid payload without attributes to zod: ${context}`);
  }
  return { zodAccepts: reference.success, fastAccepts: fast !== undefined };
}

describe('fastChannelPayload', () => {
  it('agrees with zod on the device fixtures', () => {
    for (const item of deviceCases.valid) {
      expect(compare(item.channel, item.payload).zodAccepts, item.name).toBe(true);
    }
    let refused = 0;
    for (const item of deviceCases.invalid.filter((c) => c.reason === 'delivery_bad_payload')) {
      const channel = item.topic.split('/').at(-1) as DeliveryChannel;
      const verdict = compare(channel, JSON.parse(item.payload) as Record<string, unknown>);
      expect(verdict, item.name).toEqual({ zodAccepts: false, fastAccepts: false });
      refused++;
    }
    expect(refused).toBeGreaterThan(5);
  });

  it('agrees with zod with each field removed or set to a value on or past its bounds', () => {
    const tally = { zodAccepts: 0, zodRefuses: 0, fastAccepts: 0 };
    for (const channel of ALL_CHANNELS) {
      const base = fixture.bases[channel];
      expect(compare(channel, base), `the base ${channel} payload`).toEqual({
        zodAccepts: true,
        fastAccepts: true,
      });
      for (const key of fixture.keys) {
        for (const value of [undefined, ...edges]) {
          const verdict = compare(channel, withKey(base, key, value));
          tally[verdict.zodAccepts ? 'zodAccepts' : 'zodRefuses']++;
          if (verdict.fastAccepts) tally.fastAccepts++;
        }
      }
    }
    // Both outcomes are well represented, so the comparison above means something.
    expect(tally.zodRefuses).toBeGreaterThan(1000);
    expect(tally.fastAccepts).toBeGreaterThan(1000);
  });

  it('agrees with zod on seeded random combinations of those values', () => {
    const random = new SeededRandom(20_261_127);
    let accepted = 0;
    let refused = 0;
    for (let i = 0; i < 10_000; i++) {
      const channel = random.pick(ALL_CHANNELS);
      let payload = fixture.bases[channel];
      const changes = random.int(1, 4);
      for (let c = 0; c < changes; c++) {
        const value = random.int(0, 5) === 0 ? undefined : random.pick(edges);
        payload = withKey(payload, random.pick(fixture.keys), value);
      }
      if (compare(channel, payload).zodAccepts) accepted++;
      else refused++;
    }
    expect(accepted).toBeGreaterThan(500);
    expect(refused).toBeGreaterThan(500);
  });

  it('fills in the defaults and drops keys the schema does not know', () => {
    expect(fastChannelPayload('pickup', decoded({ codeValid: true, extra: 1 }))).toStrictEqual({
      codeValid: true,
      action: 'pickup',
    });
    expect(fastChannelPayload('stop', decoded({ lat: 1, lon: 2 }))).toStrictEqual({
      lat: 1,
      lon: 2,
      state: 'started',
    });
  });
});
