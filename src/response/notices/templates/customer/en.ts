/** The customer notice in English (response / notices). */
import type { CustomerCopy } from './copy.js';

export const en: CustomerCopy = {
  locale: 'en-GB',
  subject: {
    credential_attack: 'Security notice from {shop}: attempts to sign in to your account',
    account_compromise: 'Security notice from {shop}: someone signed in to your account',
    data_exposure: 'Security notice from {shop}: your personal data may have been exposed',
  },
  greetingNamed: 'Hello {name},',
  greeting: 'Hello,',
  intro: 'We are writing to tell you about a security incident that concerns your account at {shop}.',
  headings: {
    happened: 'What happened',
    meaning: 'What this means for you',
    todo: 'What to do now',
    contact: 'How to reach us',
  },
  happened: {
    credential_attack:
      'On {date} we detected a large number of attempts to sign in to customer accounts at {shop} with email addresses and passwords that were most likely stolen from other websites. Your account was one of those targeted. We blocked the attempts and added protection to the sign-in page.',
    account_compromise:
      'On {date} we detected that someone who was probably not you signed in to your account at {shop}. We have ended this access and protected your account.',
    data_exposure:
      'On {date} we found that an unauthorised person may have been able to see personal data held in your account at {shop}, such as your name, email address or delivery address. We closed the gap as soon as we found it.',
  },
  meaning: {
    credential_attack:
      'Whoever tried this may know a password you also use elsewhere. If you use the same password at {shop} and on other websites, those accounts are at risk too.',
    account_compromise:
      'That person may have seen the details in your account, such as your name, your addresses and your recent orders.',
    data_exposure:
      'Criminals can use such data to send you convincing fake messages (phishing) or to try to sign in to your accounts.',
  },
  steps: [
    'Change your password at {shop} now, and anywhere else you use the same password. Choose a new password that you use nowhere else.',
    'Watch out for phishing that uses this incident: fraudsters may send messages that pretend to come from {shop}. We will never ask for your password or payment details by email, text message or phone, and this notice contains no link asking you to sign in.',
    'Check your recent orders, your delivery addresses and your payment methods in your account. Tell us at once about anything you do not recognise.',
  ],
  contactIntro: 'If you have questions or notice anything unusual, contact us:',
  contactLabels: { email: 'Email:', web: 'Web:', phone: 'Phone:' },
  reference: 'Reference to quote: {reference}',
  apology: 'We are sorry for the trouble this causes you.',
  signature: 'The {shop} team',
};
