import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { partnerFactsSchema, partnerWebhookBody, renderPartnerEmail } from './partner-notice.js';
import { buildStixBundle } from './stix.js';

const facts = partnerFactsSchema.parse(
  JSON.parse(readFileSync(new URL('./fixtures/partner-facts.json', import.meta.url), 'utf8')),
);
const input = {
  partner: { id: 'payments', name: 'PayCo <Risk>', role: 'payment' },
  shop: { name: 'Demo Shop', contact: { email: 'security@shop.example' } },
  reference: 'inc_01JD3Q7Z9X8K2M4N6P8R0T2V4W',
  facts: { ...facts, title: 'Stuffing <script>alert(1)</script>\r\nBcc: x@example.com' },
};

describe('partner notice', () => {
  it('lists every indicator and recommended action, and names the STIX attachment', () => {
    const email = renderPartnerEmail(input);
    for (const indicator of facts.indicators)
      expect(email.text).toContain(`${indicator.type} ${indicator.value}`);
    for (const action of facts.recommendedActions) expect(email.text).toContain(action);
    expect(email.text).toContain(
      'first seen 2026-11-26T20:55:00Z, last seen 2026-11-26T21:04:00Z, count 3100',
    );
    expect(email.text).toContain('stix-bundle-inc_01JD3Q7Z9X8K2M4N6P8R0T2V4W.json');
    expect(
      email.subject.startsWith('[high] Security notice inc_01JD3Q7Z9X8K2M4N6P8R0T2V4W from Demo Shop'),
    ).toBe(true);
  });

  it('escapes untrusted facts in HTML and keeps them off extra header lines', () => {
    const email = renderPartnerEmail(input);
    expect(email.subject).not.toMatch(/[\r\n]/);
    expect(email.html).not.toContain('<script>');
    expect(email.html).toContain('Stuffing &lt;script&gt;alert(1)&lt;/script&gt;');
    expect(email.html).toContain('PayCo &lt;Risk&gt;');
    expect(email.html).toContain('https://login-demo-shop.example/it&#39;s?x=\\y');
  });

  it('carries the facts and the bundle in the webhook body, in the Standard Webhooks shape', () => {
    const bundle = buildStixBundle({
      shopName: 'Demo Shop',
      reference: input.reference,
      facts,
      now: '2026-11-26T21:05:00Z',
    });
    const body = JSON.parse(partnerWebhookBody(input, bundle, '2026-11-26T21:05:00.000Z')) as {
      type: string;
      timestamp: string;
      data: { partner: string; indicators: unknown[]; stix: { id: string } };
    };
    expect(body.type).toBe('ensuresec.notice.partner');
    expect(body.timestamp).toBe('2026-11-26T21:05:00.000Z');
    expect(body.data.partner).toBe('payments');
    expect(body.data.indicators).toHaveLength(facts.indicators.length);
    expect(body.data.stix.id).toBe(bundle.id);
  });
});
