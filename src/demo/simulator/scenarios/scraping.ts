/**
 * scraping: a bot walks the whole catalogue fast (listing, every product page, the JSON
 * API, category searches) to copy prices, with a scripting user agent.
 */
import { productSlugsIn } from '../shop-flows.js';
import { ATTACK_USER_AGENTS } from '../user-agents.js';
import type { AttackScenario } from './types.js';

const SEARCHES = ['a', 'e', 'shoe', 'kit', 'steel', 'wool', 'usb', 'bag'];

export const scraping: AttackScenario = {
  name: 'scraping',
  description:
    'Copies the catalogue: the home page, every product page, the JSON API and a sweep of searches.',
  maxRequests: 60,
  maxDurationMs: 30_000,
  ratePerSecond: 25,
  async run(ctx) {
    const client = ctx.client(ATTACK_USER_AGENTS.scraper);
    const slugs = productSlugsIn((await client.get('/')).body);
    await client.get('/api/products');
    for (const slug of slugs) {
      await client.get(`/products/${slug}`);
      ctx.note('product_copied');
    }
    for (const term of SEARCHES) await client.get(`/search?q=${term}`);
  },
};
