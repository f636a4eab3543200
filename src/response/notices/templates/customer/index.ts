/** The customer notice's languages (response / notices): one module per language, listed here. */
import type { CustomerCopy } from './copy.js';
import { de } from './de.js';
import { en } from './en.js';
import { es } from './es.js';
import { fr } from './fr.js';
import { it } from './it.js';

export const CUSTOMER_LANGUAGES = ['de', 'en', 'es', 'fr', 'it'] as const;
export type CustomerLanguage = (typeof CUSTOMER_LANGUAGES)[number];

export const CUSTOMER_COPY: Record<CustomerLanguage, CustomerCopy> = { de, en, es, fr, it };

/** `de-CH` → `de`; a language without a translation (or none known) → `en`. */
export function customerLanguageOf(tag: string | undefined): CustomerLanguage {
  const primary = (tag ?? '').trim().toLowerCase().split(/[-_]/)[0] ?? '';
  return (CUSTOMER_LANGUAGES as readonly string[]).includes(primary) ? (primary as CustomerLanguage) : 'en';
}

export { CUSTOMER_NOTICE_KINDS, type CustomerCopy, type CustomerNoticeKind } from './copy.js';
