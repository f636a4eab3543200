/** The customer notice in German (response / notices). */
import type { CustomerCopy } from './copy.js';

export const de: CustomerCopy = {
  locale: 'de-DE',
  subject: {
    credential_attack: 'Sicherheitshinweis von {shop}: Anmeldeversuche bei Ihrem Kundenkonto',
    account_compromise: 'Sicherheitshinweis von {shop}: Jemand hat sich bei Ihrem Kundenkonto angemeldet',
    data_exposure: 'Sicherheitshinweis von {shop}: Ihre persönlichen Daten waren möglicherweise einsehbar',
  },
  greetingNamed: 'Guten Tag {name},',
  greeting: 'Guten Tag,',
  intro: 'wir informieren Sie über einen Sicherheitsvorfall, der Ihr Kundenkonto bei {shop} betrifft.',
  headings: {
    happened: 'Was ist passiert?',
    meaning: 'Was bedeutet das für Sie?',
    todo: 'Was Sie jetzt tun sollten',
    contact: 'So erreichen Sie uns',
  },
  happened: {
    credential_attack:
      'Am {date} haben wir sehr viele Versuche festgestellt, sich bei Kundenkonten von {shop} mit E-Mail-Adressen und Passwörtern anzumelden, die höchstwahrscheinlich auf anderen Websites gestohlen wurden. Auch Ihr Konto war eines der Ziele. Wir haben die Versuche blockiert und die Anmeldeseite zusätzlich geschützt.',
    account_compromise:
      'Am {date} haben wir festgestellt, dass sich eine Person, die vermutlich nicht Sie waren, bei Ihrem Kundenkonto von {shop} angemeldet hat. Wir haben diesen Zugriff beendet und Ihr Konto geschützt.',
    data_exposure:
      'Am {date} haben wir festgestellt, dass eine unbefugte Person möglicherweise persönliche Daten aus Ihrem Kundenkonto bei {shop} einsehen konnte, etwa Ihren Namen, Ihre E-Mail-Adresse oder Ihre Lieferadresse. Wir haben die Lücke geschlossen, sobald wir sie entdeckt haben.',
  },
  meaning: {
    credential_attack:
      'Wer das versucht hat, kennt möglicherweise ein Passwort, das Sie auch anderswo verwenden. Wenn Sie bei {shop} und auf anderen Websites dasselbe Passwort nutzen, sind auch diese Konten gefährdet.',
    account_compromise:
      'Die Person konnte möglicherweise die Angaben in Ihrem Konto sehen, etwa Ihren Namen, Ihre Adressen und Ihre letzten Bestellungen.',
    data_exposure:
      'Kriminelle können solche Daten nutzen, um Ihnen täuschend echte gefälschte Nachrichten (Phishing) zu schicken oder um zu versuchen, sich bei Ihren Konten anzumelden.',
  },
  steps: [
    'Ändern Sie jetzt Ihr Passwort bei {shop} und überall dort, wo Sie dasselbe Passwort verwenden. Wählen Sie ein neues Passwort, das Sie nirgendwo sonst nutzen.',
    'Achten Sie auf Phishing, das diesen Vorfall ausnutzt: Betrüger könnten Nachrichten verschicken, die scheinbar von {shop} stammen. Wir fragen Sie niemals per E-Mail, SMS oder Telefon nach Ihrem Passwort oder Ihren Zahlungsdaten, und dieser Hinweis enthält keinen Link, über den Sie sich anmelden sollen.',
    'Prüfen Sie in Ihrem Konto Ihre letzten Bestellungen, Ihre Lieferadressen und Ihre Zahlungsarten. Melden Sie sich sofort bei uns, wenn Ihnen dort etwas unbekannt vorkommt.',
  ],
  contactIntro: 'Wenn Sie Fragen haben oder Ihnen etwas ungewöhnlich vorkommt, erreichen Sie uns so:',
  contactLabels: { email: 'E-Mail:', web: 'Web:', phone: 'Telefon:' },
  reference: 'Bitte geben Sie diese Referenz an: {reference}',
  apology: 'Wir bitten die Unannehmlichkeiten zu entschuldigen.',
  signature: 'Ihr Team von {shop}',
};
