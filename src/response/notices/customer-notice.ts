/**
 * The customer notice (response / notices, no I/O): plain language, in the customer's
 * language where known — what happened, what it means, what to do now, how to reach the shop.
 *
 * @example
 * renderCustomerNotice({ kind: 'credential_attack', language: 'de', reference: 'inc_01…',
 *   detectedAt: '2026-11-26T21:04:00Z', shop: { name: 'Demo Shop', contact: { email: 'help@shop.example' } } })
 */
import { CUSTOMER_COPY, type CustomerLanguage, type CustomerNoticeKind } from './templates/customer/index.js';
import { fill, htmlDocument, type RenderedEmail } from './text.js';

/** Who the customer can reach: at least one way, shown as text (never as a link to sign in). */
export interface ShopProfile {
  name: string;
  contact: { email?: string | undefined; url?: string | undefined; phone?: string | undefined };
}

export interface CustomerNoticeInput {
  kind: CustomerNoticeKind;
  language: CustomerLanguage;
  /** The incident or alert, quoted so the shop's support finds it. */
  reference: string;
  /** ISO 8601; shown as a date in the customer's language. */
  detectedAt: string;
  shop: ShopProfile;
  recipientName?: string | undefined;
}

export function renderCustomerNotice(input: CustomerNoticeInput): RenderedEmail {
  const copy = CUSTOMER_COPY[input.language];
  const date = new Intl.DateTimeFormat(copy.locale, { dateStyle: 'long', timeZone: 'UTC' }).format(
    new Date(input.detectedAt),
  );
  const values: Record<string, string> = {
    shop: input.shop.name,
    date,
    reference: input.reference,
    name: input.recipientName ?? '',
  };
  const named = input.recipientName !== undefined && input.recipientName.trim() !== '';
  const contacts = (
    [
      ['email', input.shop.contact.email],
      ['web', input.shop.contact.url],
      ['phone', input.shop.contact.phone],
    ] as const
  ).filter((entry): entry is readonly ['email' | 'web' | 'phone', string] => entry[1] !== undefined);

  const part = (format: 'text' | 'html') => {
    const f = (template: string) => fill(template, values, format);
    return {
      greeting: f(named ? copy.greetingNamed : copy.greeting),
      intro: f(copy.intro),
      happened: f(copy.happened[input.kind]),
      meaning: f(copy.meaning[input.kind]),
      steps: copy.steps.map(f),
      contactIntro: f(copy.contactIntro),
      contacts: contacts.map(
        ([label, value]) => `${copy.contactLabels[label]} ${fill('{value}', { value }, format)}`,
      ),
      reference: f(copy.reference),
      apology: f(copy.apology),
      signature: f(copy.signature),
    };
  };

  const t = part('text');
  const underline = (heading: string) => `${heading}\n${'-'.repeat(heading.length)}`;
  const text = [
    t.greeting,
    t.intro,
    `${underline(copy.headings.happened)}\n${t.happened}`,
    `${underline(copy.headings.meaning)}\n${t.meaning}`,
    `${underline(copy.headings.todo)}\n${t.steps.map((step, i) => `${i + 1}. ${step}`).join('\n')}`,
    `${underline(copy.headings.contact)}\n${[t.contactIntro, ...t.contacts, t.reference].join('\n')}`,
    `${t.apology}\n${t.signature}`,
  ].join('\n\n');

  const h = part('html');
  const subject = fill(copy.subject[input.kind], values, 'text');
  const html = htmlDocument(
    input.language,
    fill(copy.subject[input.kind], values, 'html'),
    [
      `<p>${h.greeting}</p>`,
      `<p>${h.intro}</p>`,
      `<h2>${copy.headings.happened}</h2>`,
      `<p>${h.happened}</p>`,
      `<h2>${copy.headings.meaning}</h2>`,
      `<p>${h.meaning}</p>`,
      `<h2>${copy.headings.todo}</h2>`,
      `<ol>${h.steps.map((step) => `<li>${step}</li>`).join('')}</ol>`,
      `<h2>${copy.headings.contact}</h2>`,
      `<p>${[h.contactIntro, ...h.contacts, h.reference].join('<br>')}</p>`,
      `<p>${h.apology}<br>${h.signature}</p>`,
    ].join('\n'),
  );
  return { subject, text, html };
}
