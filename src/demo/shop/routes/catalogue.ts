/**
 * Catalogue routes: home, search, product pages and their reviews, the stylesheet and /healthz.
 */
import type { FastifyInstance } from 'fastify';
import type { ShopContext } from '../context.js';
import { listProducts, productBySlug, searchProducts } from '../catalogue.js';
import { ensureSession } from '../sessions.js';
import { homePage, productPage, searchPage } from '../views/catalogue-pages.js';
import { SHOP_CSS } from '../views/layout.js';
import { field } from '../context.js';
import { addReview, MAX_REVIEW_AUTHOR_CHARS, MAX_REVIEW_TEXT_CHARS, reviewsOf } from '../reviews.js';
import { requireCsrf, sendMessage, sendPage, viewOf } from './common.js';

export const MAX_SEARCH_TERM_CHARS = 200;

export function registerCatalogueRoutes(app: FastifyInstance, ctx: ShopContext): void {
  app.get('/healthz', async () => ({ status: 'ok' }));

  app.get('/static/shop.css', async (_req, reply) =>
    reply.type('text/css; charset=utf-8').header('cache-control', 'public, max-age=3600').send(SHOP_CSS),
  );

  app.get('/', async (req, reply) => sendPage(reply, 200, homePage(viewOf(ctx, req), listProducts(ctx))));

  app.get('/search', async (req, reply) => {
    const q = (req.query as Record<string, unknown>).q;
    const term = typeof q === 'string' ? q.slice(0, MAX_SEARCH_TERM_CHARS) : '';
    const result = searchProducts(ctx, term);
    if (!result.ok) {
      // Vulnerable mode only: safe-mode search is parameterised and cannot fail on input.
      return sendPage(reply, 500, searchPage(viewOf(ctx, req), term, { sqlError: result.sqlError }));
    }
    return sendPage(reply, 200, searchPage(viewOf(ctx, req), term, { products: result.products }));
  });

  app.get<{ Params: { slug: string } }>('/products/:slug', async (req, reply) => {
    const product = productBySlug(ctx, req.params.slug);
    if (!product) return sendMessage(ctx, req, reply, 404, 'Not found', 'This product does not exist.');
    ensureSession(ctx, req, reply); // the add-to-cart form needs a CSRF token
    return sendPage(reply, 200, productPage(viewOf(ctx, req), product, reviewsOf(ctx, product.id)));
  });

  app.post<{ Params: { slug: string } }>('/products/:slug/reviews', async (req, reply) => {
    if (!requireCsrf(ctx, req, reply)) return reply;
    const product = productBySlug(ctx, req.params.slug);
    if (!product) return sendMessage(ctx, req, reply, 404, 'Not found', 'This product does not exist.');
    const author = field(req.body, 'author', MAX_REVIEW_AUTHOR_CHARS);
    const text = field(req.body, 'text', MAX_REVIEW_TEXT_CHARS);
    if (author === '' || text === '')
      return sendMessage(ctx, req, reply, 400, 'Review not posted', 'Give your name and a review.');
    addReview(ctx, product.id, author, text);
    return reply.redirect(`/products/${encodeURIComponent(product.slug)}`, 303);
  });
}
