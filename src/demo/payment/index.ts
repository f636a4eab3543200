/**
 * The fake payment provider of the demo shop (public surface): tokenise cards, authorise
 * tokens, Stripe-like test cards; in process or over HTTP on loopback.
 */
export {
  createInProcessPaymentProvider,
  type AuthoriseRequest,
  type AuthoriseResult,
  type CardInput,
  type CardSummary,
  type PaymentProvider,
  type PaymentProviderOptions,
  type TokeniseResult,
} from './provider.js';
export {
  createHttpPaymentProvider,
  createPaymentProvider,
  createPaymentProviderServer,
  registerPaymentRoutes,
  type PaymentProviderServer,
} from './http.js';
export { isLuhnValid, normaliseCardNumber, withLuhnCheckDigit } from './luhn.js';
export {
  DECLINED_CARD,
  INSUFFICIENT_FUNDS_CARD,
  SUCCEEDING_CARD,
  TEST_CARDS,
  type DeclineCode,
  type TestCard,
} from './test-cards.js';
