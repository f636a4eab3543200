/**
 * Customer communication drafted from a case (incidents, no I/O): whether NIS2 Art. 23(1) (a
 * significant incident likely to affect the service), Art. 23(2) (a significant cyber threat:
 * the measures recipients can take) and GDPR Art. 34 (high risk to data subjects) call for
 * telling the service's recipients, and the message itself. It reuses the customer notice
 * templates of response/notices (`data_exposure`, `account_compromise`, in five languages) and
 * adds what the entity has done (the case's mitigations) and, for an outage, what it affected.
 * Sending stays a person's decision: through a playbook's `notify` step or the shop's own mail.
 *
 * @example draftCustomerCommunication(view, profile, { language: 'de' })
 */
import type { Significance } from '../../regulation/assess.js';
import type { EntityProfile } from '../../regulation/profile.js';
import { renderCustomerNotice, type ShopProfile } from '../../response/notices/customer-notice.js';
import {
  customerLanguageOf,
  type CustomerNoticeKind,
} from '../../response/notices/templates/customer/index.js';
import { escapeHtml, htmlDocument, type RenderedEmail } from '../../response/notices/text.js';
import type { CaseView } from '../case.js';

export type Verdict = 'yes' | 'no' | 'undetermined';

export interface CustomerCommunication {
  incidentId: string;
  language: string;
  /** Whether each rule asks for it, and why (NIS2 says "where appropriate": a recommendation). */
  duties: {
    id: 'nis2-23-1' | 'nis2-23-2' | 'gdpr-34';
    reference: string;
    verdict: Verdict;
    reason: string;
  }[];
  /** Recommended when any duty is `yes`. */
  recommended: boolean;
  /** The customer notice template used, or `service_disruption` (English only). */
  template: CustomerNoticeKind | 'service_disruption';
  email: RenderedEmail;
}

function templateOf(view: CaseView): CustomerCommunication['template'] {
  const impact = view.impact?.impact;
  if (view.impact?.personalData.involved || impact?.dataCompromised) return 'data_exposure';
  if (impact?.unauthorisedAccess) return 'account_compromise';
  return 'service_disruption';
}

function duties(view: CaseView): CustomerCommunication['duties'] {
  const impact = view.impact?.impact ?? {};
  const significant: Significance = view.significant;
  const affectsService =
    (impact.availability !== undefined && impact.availability !== 'none') || impact.dataCompromised === true;
  const threat = impact.suspectedMalicious === 'yes' && (impact.unauthorisedAccess || impact.dataCompromised);
  const gdpr = view.assessment?.gdpr.communicateToDataSubjects ?? 'undetermined';
  const sig = (yes: boolean, why: string): { verdict: Verdict; reason: string } =>
    significant === 'undetermined'
      ? { verdict: 'undetermined', reason: `Significance is not settled yet; ${why}` }
      : {
          verdict: significant === 'yes' && yes ? 'yes' : 'no',
          reason: `The incident is ${significant === 'yes' ? '' : 'not '}significant; ${why}`,
        };
  return [
    {
      id: 'nis2-23-1',
      reference: 'Directive (EU) 2022/2555 Art. 23(1)',
      ...sig(
        affectsService,
        affectsService
          ? 'it affects the service (availability or data).'
          : 'no effect on the service is recorded.',
      ),
    },
    {
      id: 'nis2-23-2',
      reference: 'Directive (EU) 2022/2555 Art. 23(2)',
      ...sig(
        Boolean(threat),
        threat
          ? 'a suspectedly malicious access or data compromise: tell recipients what they can do.'
          : 'no suspectedly malicious access or data compromise is recorded.',
      ),
    },
    {
      id: 'gdpr-34',
      reference: 'Regulation (EU) 2016/679 Art. 34',
      verdict:
        gdpr === 'public_communication' || gdpr === 'yes'
          ? 'yes'
          : gdpr === 'undetermined'
            ? 'undetermined'
            : 'no',
      reason:
        gdpr === 'public_communication'
          ? 'High risk, but telling each person would take disproportionate effort: a public communication instead (Art. 34(3)(c)).'
          : gdpr === 'yes'
            ? 'The breach is likely to result in a high risk to the data subjects.'
            : gdpr === 'undetermined'
              ? 'The risk to the data subjects is not assessed yet.'
              : 'No personal data breach with a high risk, or an Art. 34(3) exemption applies.',
    },
  ];
}

function disruptionEmail(view: CaseView, shop: ShopProfile): RenderedEmail {
  const impact = view.impact?.impact ?? {};
  const subject = `Service notice from ${shop.name}`;
  const window =
    impact.unavailabilityStart !== undefined
      ? ` from ${impact.unavailabilityStart}${impact.unavailabilityEnd ? ` to ${impact.unavailabilityEnd}` : ''} (UTC)`
      : '';
  const paragraphs = [
    'Hello,',
    `${shop.name} was ${impact.availability === 'complete' ? 'unavailable' : 'only partly available'}${window} because of a security incident. Your data was not affected as far as we know.`,
    `Reference to quote: ${view.incident.id}`,
    `The ${shop.name} team`,
  ];
  return {
    subject,
    text: paragraphs.join('\n\n'),
    html: htmlDocument(
      'en',
      escapeHtml(subject),
      paragraphs.map((p) => `<p>${escapeHtml(p)}</p>`).join('\n'),
    ),
  };
}

/** "What we have done", in the languages of the customer templates (English otherwise). */
const MEASURES_HEADING: Record<string, string> = {
  en: 'What we have done',
  de: 'Was wir getan haben',
  fr: 'Ce que nous avons fait',
  it: 'Che cosa abbiamo fatto',
  es: 'Lo que hemos hecho',
};

/** Adds "What we have done" (the case's mitigations) before the template's contact section. */
function withMeasures(email: RenderedEmail, measures: string[], language: string): RenderedEmail {
  if (measures.length === 0) return email;
  const heading = MEASURES_HEADING[language] ?? (MEASURES_HEADING['en'] as string);
  const text = `${heading}\n${'-'.repeat(heading.length)}\n${measures.map((m) => `- ${m}`).join('\n')}`;
  const html = `<h2>${heading}</h2>\n<ul>${measures.map((m) => `<li>${escapeHtml(m)}</li>`).join('')}</ul>`;
  const parts = email.text.split('\n\n');
  parts.splice(Math.max(parts.length - 2, 1), 0, text);
  return {
    subject: email.subject,
    text: parts.join('\n\n'),
    html: email.html.replace('</body>', `${html}\n</body>`),
  };
}

export function draftCustomerCommunication(
  view: CaseView,
  profile: EntityProfile,
  options: { language?: string | undefined; shop?: ShopProfile | undefined } = {},
): CustomerCommunication {
  const shop: ShopProfile = options.shop ?? {
    name: profile.name,
    contact: { email: profile.dataProtectionContact?.email },
  };
  const template = templateOf(view);
  const language = template === 'service_disruption' ? 'en' : customerLanguageOf(options.language);
  const base =
    template === 'service_disruption'
      ? disruptionEmail(view, shop)
      : renderCustomerNotice({
          kind: template,
          language: customerLanguageOf(options.language),
          reference: view.incident.id,
          detectedAt: view.legalTimes.detected?.time ?? view.incident.createdAt,
          shop,
        });
  const applied = view.mitigations.filter((m) => m.state === 'applied').map((m) => m.description);
  const found = duties(view);
  return {
    incidentId: view.incident.id,
    language,
    duties: found,
    recommended: found.some((duty) => duty.verdict === 'yes'),
    template,
    email: withMeasures(base, applied, language),
  };
}
