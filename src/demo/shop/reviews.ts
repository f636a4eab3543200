/**
 * Product reviews (demo shop): anyone may leave a name and a short text under a product; the
 * product page shows them. In vulnerable mode they are shown unescaped: the deliberate flaw
 * `stored-xss-reviews` that the scanner's stored-XSS check finds as stored markup (and, with
 * `--browser`, verifies by running the page in Chromium).
 */
import type { ShopContext } from './context.js';

export interface Review {
  author: string;
  text: string;
  createdAt: number;
}

export const MAX_REVIEW_AUTHOR_CHARS = 80;
export const MAX_REVIEW_TEXT_CHARS = 2000;
/** The newest reviews shown per product; older ones stay stored. */
const SHOWN_REVIEWS = 20;

const prepared = new WeakSet<ShopContext['db']>();

function ensureTable(ctx: ShopContext): void {
  if (prepared.has(ctx.db)) return;
  ctx.db.exec(
    'CREATE TABLE IF NOT EXISTS reviews (id INTEGER PRIMARY KEY, product_id INTEGER NOT NULL, author TEXT NOT NULL, text TEXT NOT NULL, created_at INTEGER NOT NULL)',
  );
  prepared.add(ctx.db);
}

export function addReview(ctx: ShopContext, productId: number, author: string, text: string): void {
  ensureTable(ctx);
  ctx.db
    .prepare('INSERT INTO reviews (product_id, author, text, created_at) VALUES (?, ?, ?, ?)')
    .run(
      productId,
      author.slice(0, MAX_REVIEW_AUTHOR_CHARS),
      text.slice(0, MAX_REVIEW_TEXT_CHARS),
      ctx.clock.nowMs(),
    );
}

export function reviewsOf(ctx: ShopContext, productId: number): Review[] {
  ensureTable(ctx);
  return ctx.db
    .prepare(
      'SELECT author, text, created_at AS createdAt FROM reviews WHERE product_id = ? ORDER BY id DESC LIMIT ?',
    )
    .all(productId, SHOWN_REVIEWS) as Review[];
}
