/**
 * coupon-abuse: guesses coupon codes, then farms the first-order coupon with throwaway
 * accounts (one account per redemption), the two classic coupon frauds.
 */
import type { ShopClient } from '../http-client.js';
import { addToCart, applyCoupon, registerAccount } from '../shop-flows.js';
import { ATTACK_USER_AGENTS } from '../user-agents.js';
import type { AttackScenario } from './types.js';

const GUESSES = [
  'WELCOME5',
  'WELCOME15',
  'WELCOME20',
  'SAVE10',
  'SAVE20',
  'SPRING10',
  'SUMMER20',
  'VIP50',
  'FREE100',
];
const THROWAWAY_ACCOUNTS = 4;

async function newAccount(client: ShopClient, n: number): Promise<void> {
  const email = `deals${n}-${Date.now().toString(36)}@mail.example`;
  await registerAccount(client, { email, password: 'Deals-pass-1', name: `Deal Hunter ${n}` });
  await addToCart(client, 'yoga-mat', 1);
}

export const couponAbuse: AttackScenario = {
  name: 'coupon-abuse',
  description: `Guesses ${GUESSES.length} coupon codes, then applies WELCOME10 from ${THROWAWAY_ACCOUNTS} throwaway accounts.`,
  maxRequests: GUESSES.length * 2 + THROWAWAY_ACCOUNTS * 8 + 10,
  maxDurationMs: 60_000,
  ratePerSecond: 10,
  async run(ctx) {
    const guesser = ctx.client(ATTACK_USER_AGENTS.curl);
    await newAccount(guesser, 0);
    for (const code of GUESSES) {
      const res = await applyCoupon(guesser, code);
      ctx.note(res.status === 200 ? 'coupon_accepted' : 'coupon_rejected');
    }
    for (let n = 1; n <= THROWAWAY_ACCOUNTS; n++) {
      const client = ctx.client(ATTACK_USER_AGENTS.curl);
      await newAccount(client, n);
      const res = await applyCoupon(client, 'WELCOME10');
      ctx.note(res.status === 200 ? 'coupon_accepted' : 'coupon_rejected');
    }
  },
};
