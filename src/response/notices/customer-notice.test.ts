import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { renderCustomerNotice, type ShopProfile } from './customer-notice.js';
import {
  CUSTOMER_COPY,
  CUSTOMER_LANGUAGES,
  CUSTOMER_NOTICE_KINDS,
  customerLanguageOf,
  type CustomerLanguage,
  type CustomerNoticeKind,
} from './templates/customer/index.js';

interface Case {
  language: CustomerLanguage;
  kind: CustomerNoticeKind;
  subject: string;
  text: string[];
}

const fixture = JSON.parse(
  readFileSync(new URL('./fixtures/customer-notices.json', import.meta.url), 'utf8'),
) as {
  shop: ShopProfile;
  reference: string;
  detectedAt: string;
  recipientName: string;
  cases: Case[];
};

const render = (language: CustomerLanguage, kind: CustomerNoticeKind, recipientName?: string) =>
  renderCustomerNotice({
    kind,
    language,
    reference: fixture.reference,
    detectedAt: fixture.detectedAt,
    shop: fixture.shop,
    recipientName,
  });

/** The French copy puts a no-break space before colons; the fixture writes a plain one. */
const plainSpaces = (text: string) => text.replace(/\u00a0/g, ' ');

describe('customer notice', () => {
  it.each(fixture.cases.map((c) => [c.language, c] as const))('reads as expected in %s', (_, c) => {
    const notice = render(c.language, c.kind, fixture.recipientName);
    expect(plainSpaces(notice.subject)).toBe(c.subject);
    for (const phrase of c.text) expect(plainSpaces(notice.text)).toContain(phrase);
    expect(notice.html).toContain(`<html lang="${c.language}">`);
  });

  it.each(
    CUSTOMER_LANGUAGES.flatMap((language) => CUSTOMER_NOTICE_KINDS.map((kind) => [language, kind] as const)),
  )('in %s for %s: every section, every step, no placeholder left, markup escaped', (language, kind) => {
    const copy = CUSTOMER_COPY[language];
    const notice = render(language, kind, fixture.recipientName);
    for (const heading of Object.values(copy.headings)) {
      expect(notice.text).toContain(heading);
      expect(notice.html).toContain(`<h2>${heading}</h2>`);
    }
    expect(notice.text.match(/^\d\. /gm)).toHaveLength(3);
    expect(notice.html.match(/<li>/g)).toHaveLength(3);
    for (const part of [notice.subject, notice.text, notice.html]) expect(part).not.toMatch(/\{[a-z]+\}/);
    expect(notice.html).toContain('Demo &lt;Shop&gt; &amp; Co');
    expect(notice.html).toContain('Zoë &lt;b&gt;O&#39;Brien&lt;/b&gt;');
    expect(notice.html).not.toContain('<b>');
    expect(notice.html).not.toContain('<a ');
    expect(notice.text).toContain(fixture.reference);
  });

  it('greets without a name when none is known', () => {
    expect(render('de', 'credential_attack').text.startsWith('Guten Tag,\n')).toBe(true);
    expect(render('es', 'credential_attack').text.startsWith('Hola:\n')).toBe(true);
  });

  it('keeps header-splitting characters out of the subject', () => {
    const notice = renderCustomerNotice({
      kind: 'data_exposure',
      language: 'en',
      reference: fixture.reference,
      detectedAt: fixture.detectedAt,
      shop: { name: 'Shop\r\nBcc: victim@example.com', contact: {} },
    });
    expect(notice.subject).not.toMatch(/[\r\n]/);
  });

  it('picks the customer language from a tag, English when there is no translation', () => {
    expect(customerLanguageOf('de-CH')).toBe('de');
    expect(customerLanguageOf('FR_ca')).toBe('fr');
    expect(customerLanguageOf('pt-BR')).toBe('en');
    expect(customerLanguageOf(undefined)).toBe('en');
  });
});
