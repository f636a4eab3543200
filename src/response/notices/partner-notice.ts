/**
 * The partner notice (response / notices, no I/O): technical details and indicators for a
 * payment provider, carrier, partner shop or CSIRT, with the STIX 2.1 bundle beside it. In
 * English: it is read by security teams, and the indicators travel machine-readable anyway.
 */
import { z } from 'zod';
import { severity } from '../../core/records/index.js';
import type { ShopProfile } from './customer-notice.js';
import { indicatorSchema } from './indicators.js';
import type { StixBundle } from './stix.js';
import { fill, htmlDocument, oneLine, type RenderedEmail } from './text.js';

export const partnerFactsSchema = z.strictObject({
  title: z.string().min(1).max(200),
  summary: z.string().min(1).max(4000),
  severity,
  detectedAt: z.iso.datetime({ offset: true }),
  indicators: z.array(indicatorSchema).max(1000).default([]),
  recommendedActions: z.array(z.string().min(1).max(1000)).max(50).default([]),
});
export type PartnerFacts = z.output<typeof partnerFactsSchema>;
export type PartnerFactsInput = z.input<typeof partnerFactsSchema>;

export interface PartnerNoticeInput {
  partner: { id: string; name: string; role: string };
  shop: ShopProfile;
  reference: string;
  facts: PartnerFacts;
}

/** The webhook's event type (Standard Webhooks `type`). */
export const PARTNER_WEBHOOK_TYPE = 'ensuresec.notice.partner';

function indicatorLines(facts: PartnerFacts): string[] {
  return facts.indicators.map((indicator) => {
    const seen = [
      indicator.firstSeen && `first seen ${indicator.firstSeen}`,
      indicator.lastSeen && `last seen ${indicator.lastSeen}`,
      indicator.count !== undefined && `count ${indicator.count}`,
    ].filter(Boolean);
    const detail = seen.length > 0 ? ` (${seen.join(', ')})` : '';
    const description = indicator.description ? ` - ${indicator.description}` : '';
    return `${indicator.type} ${indicator.value}${detail}${description}`;
  });
}

export function stixFileName(reference: string): string {
  return `stix-bundle-${reference.replace(/[^A-Za-z0-9_-]/g, '_')}.json`;
}

export function renderPartnerEmail(input: PartnerNoticeInput): RenderedEmail {
  const { facts, shop, partner, reference } = input;
  const values = {
    shop: shop.name,
    reference,
    title: facts.title,
    partner: partner.name,
    role: partner.role,
    severity: facts.severity,
    detected: facts.detectedAt,
    summary: facts.summary,
  };
  const contacts = [shop.contact.email, shop.contact.url, shop.contact.phone].filter(
    (value): value is string => value !== undefined,
  );
  const lines = (format: 'text' | 'html') => {
    const f = (template: string) => fill(template, values, format);
    const esc = (value: string) => fill('{v}', { v: value }, format);
    return {
      header: [
        f('Security notice {reference} from {shop}: {title}'),
        f('To: {partner} ({role})'),
        f('Severity: {severity}'),
        f('Detected at: {detected}'),
      ],
      summary: f('{summary}'),
      indicators: indicatorLines(facts).map(esc),
      actions: facts.recommendedActions.map(esc),
      attachment: esc(
        `The attached ${stixFileName(reference)} is a STIX 2.1 bundle of these indicators, the shop's sightings and the courses of action.`,
      ),
      contact: contacts.map(esc),
    };
  };

  const t = lines('text');
  const underline = (heading: string) => `${heading}\n${'-'.repeat(heading.length)}`;
  const text = [
    t.header.join('\n'),
    `${underline('Summary')}\n${t.summary}`,
    `${underline(`Indicators (${t.indicators.length})`)}\n${t.indicators.map((line) => `- ${line}`).join('\n') || '(none)'}`,
    `${underline('Recommended actions')}\n${t.actions.map((line, i) => `${i + 1}. ${line}`).join('\n') || '(none)'}`,
    t.attachment,
    `${underline('Contact')}\n${t.contact.join('\n') || oneLine(shop.name)}`,
  ].join('\n\n');

  const h = lines('html');
  const html = htmlDocument(
    'en',
    h.header[0] as string,
    [
      `<h1 style="font-size:1.3em">${h.header[0]}</h1>`,
      `<p>${h.header.slice(1).join('<br>')}</p>`,
      `<h2>Summary</h2><p>${h.summary}</p>`,
      `<h2>Indicators (${h.indicators.length})</h2>`,
      h.indicators.length > 0
        ? `<ul style="font-family:monospace">${h.indicators.map((line) => `<li>${line}</li>`).join('')}</ul>`
        : '<p>(none)</p>',
      '<h2>Recommended actions</h2>',
      h.actions.length > 0
        ? `<ol>${h.actions.map((line) => `<li>${line}</li>`).join('')}</ol>`
        : '<p>(none)</p>',
      `<p>${h.attachment}</p>`,
      `<h2>Contact</h2><p>${h.contact.join('<br>')}</p>`,
    ].join('\n'),
  );
  return {
    subject: fill('[{severity}] Security notice {reference} from {shop}: {title}', values, 'text'),
    text,
    html,
  };
}

/** The webhook body (Standard Webhooks payload shape: type, timestamp, data). */
export function partnerWebhookBody(input: PartnerNoticeInput, bundle: StixBundle, nowIso: string): string {
  return JSON.stringify({
    type: PARTNER_WEBHOOK_TYPE,
    timestamp: nowIso,
    data: {
      reference: input.reference,
      shop: input.shop.name,
      partner: input.partner.id,
      title: input.facts.title,
      summary: input.facts.summary,
      severity: input.facts.severity,
      detectedAt: input.facts.detectedAt,
      indicators: input.facts.indicators,
      recommendedActions: input.facts.recommendedActions,
      stix: bundle,
    },
  });
}
