/**
 * The page frame every shop page shares: head, navigation (cart, account, admin), the
 * flash message and the CSRF hidden field helper. Styles live in /static/shop.css so the
 * safe-mode CSP needs no 'unsafe-inline'.
 */
import { html, type SafeHtml } from '../html.js';
import type { ShopSession } from '../sessions.js';

export interface ViewContext {
  session: ShopSession | null;
  vulnerable: boolean;
  cartCount: number;
}

/** The hidden `_csrf` input; empty in vulnerable mode (flaw `missing-csrf-protection`). */
export function csrfField(view: ViewContext): SafeHtml {
  if (view.vulnerable || !view.session) return html``;
  return html`<input type="hidden" name="_csrf" value="${view.session.csrfToken}" />`;
}

export function page(view: ViewContext, title: string, body: SafeHtml, notice?: string): SafeHtml {
  const customer = view.session?.customer ?? null;
  return html`<!doctype html>
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <title>${title} · Ensuresec Demo Shop</title>
        <link rel="stylesheet" href="/static/shop.css" />
      </head>
      <body>
        <header>
          <a class="brand" href="/">Demo Shop</a>
          <form class="search" action="/search" method="get">
            <input type="search" name="q" placeholder="Search products" aria-label="Search products" />
            <button>Search</button>
          </form>
          <nav>
            <a href="/cart">Cart (${view.cartCount})</a>
            ${
              customer
                ? html`<a href="/orders">Orders</a> <a href="/account">${customer.name}</a>
                    ${customer.isAdmin ? html`<a href="/admin">Admin</a>` : ''}
                    <form class="inline" action="/logout" method="post">
                      ${csrfField(view)}<button class="link">Log out</button>
                    </form>`
                : html`<a href="/login">Log in</a> <a href="/register">Register</a>`
            }
          </nav>
        </header>
        ${view.vulnerable ? html`<p class="banner">Vulnerable mode: this shop has deliberate security flaws.</p>` : ''}
        <main>
          ${notice ? html`<p class="notice">${notice}</p>` : ''}
          <h1>${title}</h1>
          ${body}
        </main>
        <footer>
          Ensuresec demo shop — test cards only, nothing is ever shipped.
          <a href="/carrier-status?parcel=DS1000EU">Carrier status</a> ·
          <a href="/image-proxy?url=%2Fstatic%2Fcarrier-logo.svg">Our carrier</a>
        </footer>
      </body>
    </html>`;
}

export const SHOP_CSS = `
body { font-family: system-ui, sans-serif; margin: 0; color: #1d2430; background: #f7f8fa; }
header { display: flex; gap: 1rem; align-items: center; padding: .75rem 1.5rem; background: #14213d; color: #fff; }
header a { color: #fff; text-decoration: none; margin-right: .75rem; }
.brand { font-weight: 700; font-size: 1.2rem; }
.search { flex: 1; display: flex; gap: .5rem; }
.search input { flex: 1; max-width: 28rem; }
main { max-width: 60rem; margin: 1.5rem auto; padding: 0 1rem; }
.grid { display: grid; grid-template-columns: repeat(auto-fill, minmax(14rem, 1fr)); gap: 1rem; }
.card { background: #fff; border: 1px solid #dde1e7; border-radius: .5rem; padding: 1rem; }
.price { font-weight: 600; }
table { border-collapse: collapse; width: 100%; background: #fff; }
td, th { border-bottom: 1px solid #dde1e7; padding: .5rem; text-align: left; }
.notice { background: #fff4d6; border: 1px solid #e8c35a; padding: .5rem 1rem; border-radius: .25rem; }
.banner { background: #b00020; color: #fff; margin: 0; padding: .5rem 1.5rem; }
.inline { display: inline; }
button.link { background: none; border: none; color: inherit; cursor: pointer; padding: 0; font: inherit; }
form.stack { display: grid; gap: .5rem; max-width: 24rem; }
ol.tracking li.done { color: #1b7f3b; }
footer { text-align: center; color: #6b7280; padding: 2rem; font-size: .85rem; }
`;
