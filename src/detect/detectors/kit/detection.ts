/**
 * Building detections (detect, built-in detectors): one place that caps the evidence event
 * ids, stamps the time and formats small histograms for the evidence figures.
 */
import type { Detection } from '../../detector.js';

const MAX_EVENT_IDS = 1000;

export function detection(
  fields: Omit<Detection, 'time' | 'eventIds'> & { eventIds: string[]; timeMs: number },
): Detection {
  const { timeMs, eventIds, ...rest } = fields;
  return { ...rest, eventIds: eventIds.slice(0, MAX_EVENT_IDS), time: new Date(timeMs).toISOString() };
}

/** `"card_declined:4, incorrect_cvc:2"`: counts of values, most frequent first, at most `limit`. */
export function histogram(values: Iterable<string | undefined>, limit = 8): string {
  const counts = new Map<string, number>();
  for (const value of values) if (value !== undefined) counts.set(value, (counts.get(value) ?? 0) + 1);
  return [...counts]
    .sort((x, y) => y[1] - x[1] || (x[0] < y[0] ? -1 : 1))
    .slice(0, limit)
    .map(([value, n]) => `${value}:${n}`)
    .join(', ');
}

const ENTITY_NOUNS: Record<Detection['entity']['type'], string> = {
  ip: 'address',
  account: 'account',
  session: 'session',
  order: 'order',
  card: 'card',
  address: 'postal address',
  ja4: 'TLS fingerprint',
  device: 'device',
  route: 'route',
};

/**
 * How a title names an entity without its value (`one address`): the value is personal data
 * and travels only in `entity`, which is pseudonymised wherever records leave the shop.
 */
export function entityNoun(entity: Detection['entity']): string {
  return ENTITY_NOUNS[entity.type];
}

/** A ratio rounded to two decimals, for evidence. */
export function ratio(part: number, whole: number): number {
  return whole === 0 ? 0 : Math.round((part / whole) * 100) / 100;
}
