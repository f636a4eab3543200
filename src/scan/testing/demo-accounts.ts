/**
 * Test support: registers the two test accounts of the demo shop's login recipe
 * (`auth/fixtures/demo-shop.recipe.yaml`) in a running demo shop and gives the second one
 * (bob) a paid order, so authenticated checks have something to find. Not used at run time.
 */
import { fileURLToPath } from 'node:url';
import { SUCCEEDING_CARD } from '../../demo/payment/index.js';
import type { TestShop } from '../../demo/shop/test-kit.js';
import { addToCart, checkOut, registerAccount, validCard } from '../../demo/simulator/shop-flows.js';
import { loadLoginRecipe, passwordOf, type LoginRecipe } from '../auth/recipe.js';

export const DEMO_RECIPE_PATH = fileURLToPath(
  new URL('../auth/fixtures/demo-shop.recipe.yaml', import.meta.url),
);

export async function prepareDemoAccounts(shop: TestShop): Promise<LoginRecipe> {
  const recipe = loadLoginRecipe(DEMO_RECIPE_PATH);
  for (const account of recipe.accounts) {
    const client = shop.client();
    const res = await registerAccount(client, {
      email: account.username ?? '',
      password: passwordOf(account) ?? '',
      name: account.name,
    });
    if (res.status !== 303) throw new Error(`registering ${account.name} failed with ${res.status}`);
    if (account.name === 'bob') {
      await addToCart(client, 'e-reader', 1);
      const { orderId } = await checkOut(client, validCard(SUCCEEDING_CARD), '7 Bob Street, 1000 Brussels');
      if (orderId === null) throw new Error("bob's order failed");
    }
  }
  return recipe;
}
