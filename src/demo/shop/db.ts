/**
 * The demo shop's own SQLite database (better-sqlite3): schema, and the seed from the
 * catalogue and coupon fixtures. It belongs to the shop, not to Ensuresec's store: the
 * shop is the thing being protected.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { EnsuresecError } from '../../core/errors.js';
// JSON imports (not fs reads) so the build copies the fixtures into dist with the code.
import catalogueFixture from '../fixtures/catalogue.json' with { type: 'json' };
import couponFixture from '../fixtures/coupons.json' with { type: 'json' };

export type ShopDb = Database.Database;

const SCHEMA = `
CREATE TABLE IF NOT EXISTS products (
  id INTEGER PRIMARY KEY, slug TEXT NOT NULL UNIQUE, name TEXT NOT NULL, description TEXT NOT NULL,
  price_minor INTEGER NOT NULL, currency TEXT NOT NULL, category TEXT NOT NULL, stock INTEGER NOT NULL,
  published INTEGER NOT NULL DEFAULT 1);
CREATE TABLE IF NOT EXISTS customers (
  id INTEGER PRIMARY KEY, email TEXT NOT NULL UNIQUE, password_hash TEXT NOT NULL, name TEXT NOT NULL,
  is_admin INTEGER NOT NULL DEFAULT 0, postal_address TEXT NOT NULL DEFAULT '', created_at INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS sessions (
  id TEXT PRIMARY KEY, customer_id INTEGER REFERENCES customers(id), csrf_token TEXT NOT NULL,
  coupon_code TEXT, created_at INTEGER NOT NULL, expires_at INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS cart_items (
  session_id TEXT NOT NULL REFERENCES sessions(id) ON DELETE CASCADE, product_id INTEGER NOT NULL REFERENCES products(id),
  quantity INTEGER NOT NULL, client_price_minor INTEGER, client_currency TEXT, PRIMARY KEY (session_id, product_id));
CREATE TABLE IF NOT EXISTS coupons (
  code TEXT PRIMARY KEY, description TEXT NOT NULL, percent_off INTEGER, amount_off_minor INTEGER,
  one_per_customer INTEGER NOT NULL, max_redemptions INTEGER, expires_at INTEGER, min_subtotal_minor INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS orders (
  id INTEGER PRIMARY KEY AUTOINCREMENT, customer_id INTEGER NOT NULL REFERENCES customers(id), status TEXT NOT NULL,
  subtotal_minor INTEGER NOT NULL, discount_minor INTEGER NOT NULL, total_minor INTEGER NOT NULL, currency TEXT NOT NULL,
  coupon_code TEXT, shipping_address TEXT NOT NULL, card_brand TEXT, card_last4 TEXT, payment_id TEXT,
  created_at INTEGER NOT NULL, status_changed_at INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS order_items (
  order_id INTEGER NOT NULL REFERENCES orders(id), product_id INTEGER NOT NULL, name TEXT NOT NULL,
  unit_price_minor INTEGER NOT NULL, quantity INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS order_events (order_id INTEGER NOT NULL REFERENCES orders(id), status TEXT NOT NULL, at INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS coupon_redemptions (
  code TEXT NOT NULL, customer_id INTEGER NOT NULL, order_id INTEGER NOT NULL, at INTEGER NOT NULL);
CREATE INDEX IF NOT EXISTS orders_by_customer ON orders(customer_id);
CREATE INDEX IF NOT EXISTS redemptions_by_code ON coupon_redemptions(code, customer_id);
`;

interface CatalogueFixture {
  currency: string;
  products: {
    slug: string;
    name: string;
    description: string;
    priceMinor: number;
    category: string;
    stock: number;
    published?: boolean;
  }[];
}

interface CouponFixture {
  coupons: {
    code: string;
    description: string;
    percentOff?: number;
    amountOffMinor?: number;
    onePerCustomer: boolean;
    maxRedemptions?: number;
    expiresAt: string | null;
    minSubtotalMinor: number;
  }[];
}

/** Opens (and seeds on first use) the shop database in `dataDir`, or in memory for `null`/':memory:'. */
export function openShopDb(dataDir: string | null | undefined): ShopDb {
  let db: ShopDb;
  try {
    if (!dataDir || dataDir === ':memory:') {
      db = new Database(':memory:');
    } else {
      mkdirSync(dataDir, { recursive: true });
      db = new Database(join(dataDir, 'demo-shop.sqlite'));
      db.pragma('journal_mode = WAL');
    }
  } catch (cause) {
    throw new EnsuresecError('data_dir_unwritable', {
      detail: `demo shop data dir: ${String(dataDir)}`,
      cause,
    });
  }
  db.pragma('foreign_keys = ON');
  db.exec(SCHEMA);
  migrate(db);
  seed(db);
  return db;
}

/** Columns added after a data dir may have been created: added in place, existing rows kept. */
function migrate(db: ShopDb): void {
  const columns = db.prepare('PRAGMA table_info(cart_items)').all() as { name: string }[];
  if (!columns.some((c) => c.name === 'client_currency'))
    db.exec('ALTER TABLE cart_items ADD COLUMN client_currency TEXT');
}

function seed(db: ShopDb): void {
  const count = db.prepare('SELECT COUNT(*) AS n FROM products').get() as { n: number };
  if (count.n > 0) return;
  const catalogue: CatalogueFixture = catalogueFixture;
  const { coupons }: CouponFixture = couponFixture;
  const insertProduct = db.prepare(
    `INSERT INTO products (slug, name, description, price_minor, currency, category, stock, published)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  const insertCoupon = db.prepare(
    `INSERT INTO coupons (code, description, percent_off, amount_off_minor, one_per_customer, max_redemptions,
     expires_at, min_subtotal_minor) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  db.transaction(() => {
    // Order numbers start at 1000, like a real shop's, and stay sequential (which the IDOR flaw relies on).
    db.prepare("INSERT INTO sqlite_sequence (name, seq) VALUES ('orders', 999)").run();
    for (const p of catalogue.products) {
      insertProduct.run(
        p.slug,
        p.name,
        p.description,
        p.priceMinor,
        catalogue.currency,
        p.category,
        p.stock,
        p.published === false ? 0 : 1,
      );
    }
    for (const c of coupons) {
      insertCoupon.run(
        c.code,
        c.description,
        c.percentOff ?? null,
        c.amountOffMinor ?? null,
        c.onePerCustomer ? 1 : 0,
        c.maxRedemptions ?? null,
        c.expiresAt ? Date.parse(c.expiresAt) : null,
        c.minSubtotalMinor,
      );
    }
  })();
}
