/**
 * The shape of a customer notice's wording in one language (response / notices). Each
 * language is one module beside this one, listed in `index.ts`. `{shop}`, `{date}`, `{name}`
 * and `{reference}` are filled in by the renderer (HTML-escaped in the HTML part), so the
 * wording itself never holds untrusted text.
 */

/** What happened, in the words a customer notice can explain. */
export const CUSTOMER_NOTICE_KINDS = ['credential_attack', 'account_compromise', 'data_exposure'] as const;
export type CustomerNoticeKind = (typeof CUSTOMER_NOTICE_KINDS)[number];

export interface CustomerCopy {
  /** BCP 47 locale for dates, e.g. `de-DE`. */
  locale: string;
  subject: Record<CustomerNoticeKind, string>;
  greetingNamed: string;
  greeting: string;
  intro: string;
  headings: { happened: string; meaning: string; todo: string; contact: string };
  happened: Record<CustomerNoticeKind, string>;
  meaning: Record<CustomerNoticeKind, string>;
  /** Change the password, beware of phishing that uses this incident, check recent orders. */
  steps: readonly [string, string, string];
  contactIntro: string;
  /** With their colon, as the language writes it (French: a no-break space before it). */
  contactLabels: { email: string; web: string; phone: string };
  reference: string;
  apology: string;
  signature: string;
}
