/**
 * The fake payment provider's test cards, modelled on Stripe's: one number per outcome,
 * so the shop, the simulator and the docs can each ask for a specific result.
 */

export type DeclineCode =
  'card_declined' | 'insufficient_funds' | 'expired_card' | 'incorrect_cvc' | 'fraudulent';

export interface TestCard {
  number: string;
  brand: 'visa' | 'mastercard' | 'amex';
  /** null = the authorisation succeeds. */
  declineCode: DeclineCode | null;
  description: string;
}

export const TEST_CARDS: readonly TestCard[] = [
  { number: '4242424242424242', brand: 'visa', declineCode: null, description: 'Succeeds' },
  { number: '5555555555554444', brand: 'mastercard', declineCode: null, description: 'Succeeds' },
  { number: '378282246310005', brand: 'amex', declineCode: null, description: 'Succeeds' },
  {
    number: '4000000000000002',
    brand: 'visa',
    declineCode: 'card_declined',
    description: 'Declined (generic)',
  },
  {
    number: '4000000000009995',
    brand: 'visa',
    declineCode: 'insufficient_funds',
    description: 'Declined: insufficient funds',
  },
  {
    number: '4000000000000069',
    brand: 'visa',
    declineCode: 'expired_card',
    description: 'Declined: expired card',
  },
  {
    number: '4000000000000127',
    brand: 'visa',
    declineCode: 'incorrect_cvc',
    description: 'Declined: incorrect CVC',
  },
  {
    number: '4100000000000019',
    brand: 'visa',
    declineCode: 'fraudulent',
    description: 'Declined: suspected fraud',
  },
];

export const SUCCEEDING_CARD = '4242424242424242';
export const DECLINED_CARD = '4000000000000002';
export const INSUFFICIENT_FUNDS_CARD = '4000000000009995';

export function brandOf(cardNumber: string): TestCard['brand'] | 'unknown' {
  if (cardNumber.startsWith('4')) return 'visa';
  if (/^(5[1-5]|2[2-7])/.test(cardNumber)) return 'mastercard';
  if (/^3[47]/.test(cardNumber)) return 'amex';
  return 'unknown';
}

/** What happens to a Luhn-valid card: a listed test card gets its outcome, any other number is declined. */
export function outcomeOf(cardNumber: string): DeclineCode | null {
  const card = TEST_CARDS.find((c) => c.number === cardNumber);
  return card ? card.declineCode : 'card_declined';
}
