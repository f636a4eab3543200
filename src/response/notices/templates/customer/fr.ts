/** The customer notice in French (response / notices). Colons take a no-break space before them. */
import type { CustomerCopy } from './copy.js';

export const fr: CustomerCopy = {
  locale: 'fr-FR',
  subject: {
    credential_attack: 'Avis de sécurité de {shop}\u00a0: tentatives de connexion à votre compte',
    account_compromise: 'Avis de sécurité de {shop}\u00a0: quelqu’un s’est connecté à votre compte',
    data_exposure: 'Avis de sécurité de {shop}\u00a0: vos données personnelles ont peut-être été exposées',
  },
  greetingNamed: 'Bonjour {name},',
  greeting: 'Bonjour,',
  intro: 'Nous vous informons d’un incident de sécurité qui concerne votre compte client chez {shop}.',
  headings: {
    happened: 'Ce qui s’est passé',
    meaning: 'Ce que cela signifie pour vous',
    todo: 'Ce que vous devez faire maintenant',
    contact: 'Comment nous joindre',
  },
  happened: {
    credential_attack:
      'Le {date}, nous avons détecté un très grand nombre de tentatives de connexion à des comptes clients de {shop} avec des adresses e-mail et des mots de passe très probablement volés sur d’autres sites. Votre compte faisait partie des comptes visés. Nous avons bloqué ces tentatives et renforcé la protection de la page de connexion.',
    account_compromise:
      'Le {date}, nous avons constaté qu’une personne qui n’était probablement pas vous s’est connectée à votre compte chez {shop}. Nous avons mis fin à cet accès et protégé votre compte.',
    data_exposure:
      'Le {date}, nous avons découvert qu’une personne non autorisée a peut-être pu consulter des données personnelles de votre compte chez {shop}, comme votre nom, votre adresse e-mail ou votre adresse de livraison. Nous avons corrigé la faille dès que nous l’avons découverte.',
  },
  meaning: {
    credential_attack:
      'L’auteur de ces tentatives connaît peut-être un mot de passe que vous utilisez aussi ailleurs. Si vous utilisez le même mot de passe chez {shop} et sur d’autres sites, ces comptes sont eux aussi menacés.',
    account_compromise:
      'Cette personne a peut-être vu les informations de votre compte, comme votre nom, vos adresses et vos dernières commandes.',
    data_exposure:
      'Des criminels peuvent se servir de ces données pour vous envoyer de faux messages très convaincants (hameçonnage) ou pour tenter de se connecter à vos comptes.',
  },
  steps: [
    'Changez dès maintenant votre mot de passe chez {shop}, ainsi que partout où vous utilisez le même. Choisissez un nouveau mot de passe que vous n’utilisez nulle part ailleurs.',
    'Méfiez-vous de l’hameçonnage (phishing) qui exploite cet incident\u00a0: des fraudeurs peuvent envoyer des messages qui semblent venir de {shop}. Nous ne vous demanderons jamais votre mot de passe ni vos données de paiement par e-mail, SMS ou téléphone, et cet avis ne contient aucun lien vous invitant à vous connecter.',
    'Vérifiez dans votre compte vos dernières commandes, vos adresses de livraison et vos moyens de paiement. Signalez-nous immédiatement tout ce que vous ne reconnaissez pas.',
  ],
  contactIntro: 'Pour toute question, ou si vous remarquez quelque chose d’inhabituel, contactez-nous\u00a0:',
  contactLabels: { email: 'E-mail\u00a0:', web: 'Site web\u00a0:', phone: 'Téléphone\u00a0:' },
  reference: 'Référence à rappeler\u00a0: {reference}',
  apology: 'Nous vous prions de nous excuser pour la gêne occasionnée.',
  signature: 'L’équipe {shop}',
};
