/**
 * The catalogue: listing, product lookup and search. Search is the home of the
 * `sql-injection-search` flaw: in vulnerable mode the term is concatenated into the SQL.
 */
import type { ShopContext } from './context.js';

export interface ProductSummary {
  id: number;
  slug: string;
  name: string;
  priceMinor: number;
  currency: string;
  category: string;
}

export interface Product extends ProductSummary {
  description: string;
  stock: number;
}

interface ProductRow {
  id: number;
  slug: string;
  name: string;
  price_minor: number;
  currency: string;
  category: string;
  description?: string;
  stock?: number;
}

const SUMMARY_COLUMNS = 'id, slug, name, price_minor, currency, category';

function toSummary(row: ProductRow): ProductSummary {
  return {
    id: row.id,
    slug: String(row.slug),
    name: String(row.name),
    priceMinor: Number(row.price_minor),
    currency: String(row.currency),
    category: String(row.category),
  };
}

export function listProducts(ctx: ShopContext, category?: string): ProductSummary[] {
  const rows = category
    ? ctx.db
        .prepare(`SELECT ${SUMMARY_COLUMNS} FROM products WHERE published = 1 AND category = ? ORDER BY name`)
        .all(category)
    : ctx.db
        .prepare(`SELECT ${SUMMARY_COLUMNS} FROM products WHERE published = 1 ORDER BY category, name`)
        .all();
  return (rows as ProductRow[]).map(toSummary);
}

function toProduct(row: ProductRow | undefined): Product | null {
  if (!row) return null;
  return { ...toSummary(row), description: row.description ?? '', stock: row.stock ?? 0 };
}

export function productBySlug(ctx: ShopContext, slug: string): Product | null {
  return toProduct(
    ctx.db
      .prepare(`SELECT ${SUMMARY_COLUMNS}, description, stock FROM products WHERE published = 1 AND slug = ?`)
      .get(slug) as ProductRow | undefined,
  );
}

export function productById(ctx: ShopContext, id: number): Product | null {
  return toProduct(
    ctx.db
      .prepare(`SELECT ${SUMMARY_COLUMNS}, description, stock FROM products WHERE published = 1 AND id = ?`)
      .get(id) as ProductRow | undefined,
  );
}

export type SearchResult = { ok: true; products: ProductSummary[] } | { ok: false; sqlError: string };

export function searchProducts(ctx: ShopContext, term: string): SearchResult {
  if (ctx.vulnerable) {
    // Deliberate flaw `sql-injection-search` (CWE-89): the term goes into the SQL text as is.
    const sql =
      `SELECT ${SUMMARY_COLUMNS} FROM products WHERE published = 1 AND ` +
      `name || ' ' || description LIKE '%${term}%' ORDER BY name LIMIT 50`;
    try {
      return { ok: true, products: (ctx.db.prepare(sql).all() as ProductRow[]).map(toSummary) };
    } catch (err) {
      return { ok: false, sqlError: `${err instanceof Error ? err.message : String(err)} in query: ${sql}` };
    }
  }
  const pattern = `%${term.replace(/[\\%_]/g, (ch) => `\\${ch}`)}%`;
  const rows = ctx.db
    .prepare(
      `SELECT ${SUMMARY_COLUMNS} FROM products WHERE published = 1 AND
       (name LIKE ? ESCAPE '\\' OR description LIKE ? ESCAPE '\\') ORDER BY name LIMIT 50`,
    )
    .all(pattern, pattern) as ProductRow[];
  return { ok: true, products: rows.map(toSummary) };
}
