/** Shop webhook payloads: validation of every kind of business event, and the ids derived from webhook-ids. */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { securityEventSchema } from '../../../core/records/index.js';
import { parseShopWebhookPayload, shopWebhookEventId, shopWebhookToSecurityEvent } from './shop-events.js';

interface Cases {
  valid: { name: string; payload: { type: string; timestamp: string; data: Record<string, unknown> } }[];
  invalid: { name: string; payload: unknown; paths: string[] }[];
}

const cases = JSON.parse(
  readFileSync(new URL('./fixtures/shop-events.json', import.meta.url), 'utf8'),
) as Cases;

describe('shop webhook payloads', () => {
  it.each(cases.valid.map((c) => [c.name, c] as const))('accepts %s as a business SecurityEvent', (_n, c) => {
    const parsed = parseShopWebhookPayload(c.payload);
    if (!parsed.ok) throw new Error(JSON.stringify(parsed.issues));
    const event = shopWebhookToSecurityEvent('msg_1', parsed);
    expect(securityEventSchema.parse(event)).toEqual(event);
    expect(event).toMatchObject({
      kind: 'business',
      time: c.payload.timestamp,
      source: { type: 'shop', name: 'shop-webhook' },
      client: { ip: c.payload.data['clientIp'] },
      business: { type: c.payload.type },
    });
    if (typeof c.payload.data['reason'] === 'string') {
      expect(event.business?.attributes['reason']).toBe(c.payload.data['reason']);
    }
  });

  it.each(cases.invalid.map((c) => [c.name, c] as const))('refuses %s, naming where', (_n, c) => {
    const parsed = parseShopWebhookPayload(c.payload);
    expect(parsed.ok).toBe(false);
    if (parsed.ok) return;
    expect([...new Set(parsed.issues.map((issue) => issue.path))].sort()).toEqual([...c.paths].sort());
  });

  it('derives one event id per webhook-id, sorted by when the event happened', () => {
    const at = Date.parse('2026-03-01T11:59:30.000Z');
    const id = shopWebhookEventId('msg_p5jXN8AQM9LWM0D4loKWxJek', at);
    expect(id).toMatch(/^evt_[0-9A-HJKMNP-TV-Z]{26}$/);
    expect(shopWebhookEventId('msg_p5jXN8AQM9LWM0D4loKWxJek', at)).toBe(id);
    expect(shopWebhookEventId('msg_other', at)).not.toBe(id);
    expect(shopWebhookEventId('msg_p5jXN8AQM9LWM0D4loKWxJek', at + 1) > id).toBe(true);
  });
});
