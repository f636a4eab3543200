/**
 * A tiny shop for the business-logic checks' tests (loopback only): one product at 40.00 EUR
 * whose add-to-cart form carries hidden price and currency fields, a cart with a coupon form,
 * a checkout, login and registration. Each flaw is switched on by name, so a test starts one
 * server per case; with none the shop validates everything (whole quantities from 1, EUR
 * only, catalogue prices, one coupon per order, one redemption per customer, one answer for
 * every registration). Coupons: TEN (10 %) and FIVE (5.00 off orders of 50.00 or more).
 * Not used at run time.
 */
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface CheckoutFlaws {
  /** The hidden price_minor is charged. */
  price?: boolean;
  /** `parseFloat(quantity) || 1`: negative and fractional quantities taken. */
  quantity?: boolean;
  /** The posted currency relabels the EUR amounts. */
  currency?: boolean;
  /** The posted currency is honoured, converted at 160 JPY per EUR (a correct multi-currency shop). */
  convertCurrency?: boolean;
  /** Every coupon applied stays on the cart. */
  stacking?: boolean;
  /** Past redemptions are never checked. */
  replay?: boolean;
  /** Registration says "already registered" for a known email. */
  registrationSaysTaken?: boolean;
}

export const CHECKOUT_SERVER_ACCOUNT = { email: 'alice@example.test', password: 'alice-password' };
const UNIT_PRICE_MINOR = 4000;
const COUPONS: Record<string, { percent?: number; amountMinor?: number; minSubtotalMinor: number }> = {
  TEN: { percent: 10, minSubtotalMinor: 0 },
  FIVE: { amountMinor: 500, minSubtotalMinor: 5000 },
};

interface Session {
  user: string | null;
  line: { quantity: number; unitMinor: number; currency: string } | null;
  coupons: string[];
}

function page(res: ServerResponse, body: string, status = 200, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': 'text/html; charset=utf-8', ...headers });
  res.end(`<!doctype html><html><head><title>Tiny shop</title></head><body>${body}</body></html>`);
}

function redirect(res: ServerResponse, location: string, headers: Record<string, string> = {}): void {
  res.writeHead(303, { location, ...headers }).end();
}

async function formOf(req: IncomingMessage): Promise<URLSearchParams> {
  let text = '';
  for await (const chunk of req) text += String(chunk);
  return new URLSearchParams(text);
}

const money = (minor: number, currency: string) => `${(minor / 100).toFixed(2)} ${currency}`;

export async function startCheckoutServer(
  flaws: CheckoutFlaws = {},
): Promise<{ url: string; close(): Promise<void> }> {
  const sessions = new Map<string, Session>();
  const users = new Map([[CHECKOUT_SERVER_ACCOUNT.email, CHECKOUT_SERVER_ACCOUNT.password]]);
  const redemptions = new Set<string>();

  const sessionOf = (req: IncomingMessage) => {
    const sid = /(?:^|;\s*)sid=([a-f0-9]+)/.exec(req.headers.cookie ?? '')?.[1];
    return sid ? (sessions.get(sid) ?? null) : null;
  };
  const newSession = (user: string | null): [Session, Record<string, string>] => {
    const sid = randomBytes(12).toString('hex');
    const session: Session = { user, line: null, coupons: [] };
    sessions.set(sid, session);
    return [session, { 'set-cookie': `sid=${sid}; Path=/; HttpOnly; SameSite=Lax` }];
  };
  const totals = (s: Session) => {
    if (!s.line) return null;
    const subtotal = Math.round(s.line.unitMinor * s.line.quantity);
    let discount = 0;
    for (const code of s.coupons) {
      const c = COUPONS[code];
      if (!c || subtotal < c.minSubtotalMinor) continue;
      discount += c.percent ? Math.floor((subtotal * c.percent) / 100) : (c.amountMinor ?? 0);
    }
    return {
      subtotal,
      total: subtotal - Math.min(discount, Math.max(0, subtotal)),
      currency: s.line.currency,
    };
  };
  const cartPage = (res: ServerResponse, s: Session | null, notice = '', status = 200) => {
    const t = s ? totals(s) : null;
    if (!t) return page(res, `<p>${notice}</p><p>Your cart is empty.</p>`, status);
    return page(
      res,
      `<p>${notice}</p><table><tr><th>Subtotal</th><td>${money(t.subtotal, t.currency)}</td></tr>
       <tr><th>Coupons</th><td>${s?.coupons.join(' + ') ?? ''}</td></tr>
       <tr><th>Total</th><td class="total">${money(t.total, t.currency)}</td></tr></table>
       <form action="/cart/coupon" method="post"><label>Coupon <input name="code" /></label><button>Apply</button></form>
       <a href="/checkout">Checkout</a>`,
      status,
    );
  };

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const path = new URL(req.url ?? '/', 'http://tiny.test').pathname;
    const route = `${req.method} ${path}`;
    const session = sessionOf(req);
    switch (route) {
      case 'GET /':
        return page(
          res,
          '<a href="/product">Kettle</a> <a href="/cart">cart</a> <a href="/login">login</a> <a href="/register">register</a>',
        );
      case 'GET /product':
        return page(
          res,
          `<p class="price">${money(UNIT_PRICE_MINOR, 'EUR')}</p>
           <form action="/cart/add" method="post">
             <input type="hidden" name="price_minor" value="${UNIT_PRICE_MINOR}" />
             <input type="hidden" name="currency" value="EUR" />
             <input type="number" name="quantity" value="1" min="1" max="10" /><button>Add</button>
           </form>`,
        );
      case 'POST /cart/add': {
        const form = await formOf(req);
        const [s, headers] = session ? [session, {}] : newSession(null);
        const raw = form.get('quantity') ?? '1';
        const quantity = flaws.quantity
          ? Number.parseFloat(raw) || 1
          : /^\d{1,4}$/.test(raw) && Number(raw) >= 1
            ? Number(raw)
            : null;
        const currency = (form.get('currency') ?? 'EUR').toUpperCase();
        const accepted =
          currency === 'EUR' ||
          flaws.currency === true ||
          (flaws.convertCurrency === true && currency === 'JPY');
        if (quantity === null || !accepted)
          return page(res, '<p>Invalid quantity or currency.</p>', 400, headers);
        const price = flaws.price ? Number(form.get('price_minor') ?? UNIT_PRICE_MINOR) : UNIT_PRICE_MINOR;
        const rate = flaws.convertCurrency && currency === 'JPY' ? 160 : 1;
        s.line = {
          quantity: Math.min(10, (s.line?.quantity ?? 0) + quantity),
          unitMinor: price * rate,
          currency,
        };
        return redirect(res, '/cart', headers);
      }
      case 'GET /cart':
        return cartPage(res, session);
      case 'POST /cart/coupon': {
        const code = ((await formOf(req)).get('code') ?? '').toUpperCase();
        const coupon = COUPONS[code];
        if (!session?.user || !coupon) return cartPage(res, session, 'Unknown coupon.', 400);
        if (!flaws.replay && redemptions.has(`${session.user}:${code}`))
          return cartPage(res, session, 'You have already used this coupon.', 400);
        session.coupons = flaws.stacking ? [...session.coupons.filter((c) => c !== code), code] : [code];
        return cartPage(res, session, `Coupon ${code} applied.`);
      }
      case 'GET /checkout':
        if (!session?.user || !session.line) return redirect(res, '/login');
        return page(
          res,
          `<form action="/checkout" method="post"><textarea name="address"></textarea>
           <input name="card_number" /><input name="exp_month" /><input name="exp_year" /><input name="cvc" />
           <button>Pay</button></form>`,
        );
      case 'POST /checkout': {
        const form = await formOf(req);
        if (!session?.user || !session.line) return redirect(res, '/login');
        if (form.get('card_number') !== '4242424242424242') return page(res, '<p>Declined.</p>', 402);
        for (const code of session.coupons) redemptions.add(`${session.user}:${code}`);
        session.line = null;
        session.coupons = [];
        return redirect(res, '/orders/1');
      }
      case 'GET /login':
        return page(
          res,
          '<form action="/login" method="post"><input type="email" name="email" /><input type="password" name="password" /><button>Log in</button></form>',
        );
      case 'POST /login': {
        const form = await formOf(req);
        const email = form.get('email') ?? '';
        if (users.get(email) !== form.get('password') || !users.has(email))
          return page(res, '<p>The email or password is wrong.</p>', 401);
        return redirect(res, '/', newSession(email)[1]);
      }
      case 'GET /register':
        return page(
          res,
          '<form action="/register" method="post"><input name="name" /><input type="email" name="email" /><input type="password" name="password" /><button>Register</button></form>',
        );
      case 'POST /register': {
        const form = await formOf(req);
        const email = form.get('email') ?? '';
        if (!form.get('name') || (form.get('password') ?? '').length < 8)
          return page(res, '<p>Name and a password of 8+ characters, please.</p>', 400);
        if (users.has(email)) {
          if (flaws.registrationSaysTaken) return page(res, '<p>This email is already registered.</p>', 400);
          return redirect(res, '/', newSession(null)[1]); // the same answer; the owner gets an email
        }
        users.set(email, form.get('password') ?? '');
        return redirect(res, '/', newSession(email)[1]);
      }
      default:
        return page(res, '<p>Not found.</p>', 404);
    }
  };
  const server = createServer((req, res) => {
    handle(req, res).catch(() => res.writeHead(500).end());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
