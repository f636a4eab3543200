/**
 * card-testing: a fraudster checks which stolen card numbers work by placing small
 * orders with many generated (Luhn-valid) numbers from one account.
 */
import { withLuhnCheckDigit } from '../../payment/luhn.js';
import { addToCart, checkOut, registerAccount, validCard } from '../shop-flows.js';
import { ATTACK_USER_AGENTS } from '../user-agents.js';
import type { AttackScenario } from './types.js';

const CARDS_TRIED = 25;

function generatedCardNumber(): string {
  let digits = '4';
  while (digits.length < 15) digits += String(Math.floor(Math.random() * 10));
  return withLuhnCheckDigit(digits);
}

export const cardTesting: AttackScenario = {
  name: 'card-testing',
  description: `Registers one account and tries ${CARDS_TRIED} generated card numbers on a cheap order.`,
  maxRequests: CARDS_TRIED * 2 + 10,
  maxDurationMs: 60_000,
  ratePerSecond: 10,
  async run(ctx) {
    const client = ctx.client(ATTACK_USER_AGENTS.headless);
    const email = `carder-${Date.now().toString(36)}@mail.example`;
    await registerAccount(client, { email, password: 'Carder-pass-1', name: 'J Smith' });
    await addToCart(client, 'jump-rope', 1);
    for (let i = 0; i < CARDS_TRIED; i++) {
      // The last card is a working test card: card testers find one now and then.
      const number = i === CARDS_TRIED - 1 ? '4242424242424242' : generatedCardNumber();
      const { response, orderId } = await checkOut(client, validCard(number), '1 Drop Street, 1000 Brussels');
      ctx.note(
        orderId !== null ? 'card_accepted' : response.status === 402 ? 'card_declined' : 'checkout_refused',
      );
      if (orderId !== null) await addToCart(client, 'jump-rope', 1);
    }
  },
};
