/**
 * Catalogue and cart pages: home, search results, product, cart and checkout. The search
 * heading is where the `reflected-xss-search` flaw lives (vulnerable mode only).
 */
import { formatMoney, html, raw, type SafeHtml } from '../html.js';
import type { Cart } from '../cart.js';
import type { Product, ProductSummary } from '../catalogue.js';
import type { Review } from '../reviews.js';
import { csrfField, page, type ViewContext } from './layout.js';

function productGrid(products: ProductSummary[]): SafeHtml {
  if (products.length === 0) return html`<p>No products found.</p>`;
  return html`<div class="grid">
    ${products.map(
      (p) =>
        html`<div class="card" data-product="${p.slug}">
          <a href="/products/${encodeURIComponent(p.slug)}">${p.name}</a>
          <p class="price">${formatMoney(p.priceMinor, p.currency)}</p>
          <small>${p.category}</small>
        </div>`,
    )}
  </div>`;
}

export function homePage(view: ViewContext, products: ProductSummary[]): SafeHtml {
  return page(
    view,
    'Welcome',
    html`<p>Everything for the outdoors, the kitchen and the desk. <a href="/track">Track a parcel</a></p>
      ${productGrid(products)}`,
  );
}

export function searchPage(
  view: ViewContext,
  term: string,
  result: { products: ProductSummary[] } | { sqlError: string },
): SafeHtml {
  // Deliberate flaw `reflected-xss-search` (CWE-79): the term is echoed without escaping in vulnerable mode.
  const shownTerm = view.vulnerable ? raw(term) : term;
  const body =
    'sqlError' in result
      ? html`<p class="error">Database error: <code>${result.sqlError}</code></p>`
      : html`<p class="count">${result.products.length} products</p>
          ${productGrid(result.products)}`;
  return page(
    view,
    'Search',
    html`<h2 class="search-term">Results for “${shownTerm}”</h2>
      ${body}`,
  );
}

/**
 * The reviews under a product and the form to add one. Deliberate flaw `stored-xss-reviews`
 * (CWE-79): in vulnerable mode the stored name and text are written unescaped.
 */
function reviewsSection(view: ViewContext, product: Product, reviews: Review[]): SafeHtml {
  const shown = (text: string) => (view.vulnerable ? raw(text) : text);
  return html`<div class="card">
    <h2>Reviews</h2>
    ${reviews.length === 0 ? html`<p>No reviews yet.</p>` : ''}
    ${reviews.map(
      (review) =>
        html`<blockquote class="review">
          <p>${shown(review.text)}</p>
          <footer>${shown(review.author)}</footer>
        </blockquote>`,
    )}
    <form action="/products/${product.slug}/reviews" method="post">
      ${csrfField(view)}
      <label>Your name <input name="author" maxlength="80" required /></label>
      <label>Review <textarea name="text" maxlength="2000" required></textarea></label>
      <button>Post review</button>
    </form>
  </div>`;
}

export function productPage(view: ViewContext, product: Product, reviews: Review[] = []): SafeHtml {
  return page(
    view,
    product.name,
    html`<div class="card">
        <p>${product.description}</p>
        <p class="price">${formatMoney(product.priceMinor, product.currency)}</p>
        <p>${product.stock > 0 ? `${product.stock} in stock` : 'Out of stock'}</p>
        <form action="/cart/add" method="post">
          ${csrfField(view)}
          <input type="hidden" name="product_id" value="${product.id}" />
          <input type="hidden" name="price_minor" value="${product.priceMinor}" />
          <input type="hidden" name="currency" value="${product.currency}" />
          <label>Quantity <input type="number" name="quantity" value="1" min="1" max="10" /></label>
          <button>Add to cart</button>
        </form>
      </div>
      ${reviewsSection(view, product, reviews)}`,
  );
}

function totals(cart: Cart): SafeHtml {
  return html`<table class="totals">
    <tr>
      <th>Subtotal</th>
      <td>${formatMoney(cart.subtotalMinor, cart.currency)}</td>
    </tr>
    ${
      cart.coupons.length > 0
        ? html`<tr>
            <th>Coupon ${cart.coupons.map((c) => c.code).join(' + ')}</th>
            <td>-${formatMoney(cart.discountMinor, cart.currency)}</td>
          </tr>`
        : ''
    }
    <tr>
      <th>Total</th>
      <td class="total">${formatMoney(cart.totalMinor, cart.currency)}</td>
    </tr>
  </table>`;
}

export function cartPage(view: ViewContext, cart: Cart, notice?: string): SafeHtml {
  if (cart.lines.length === 0) return page(view, 'Your cart', html`<p>Your cart is empty.</p>`, notice);
  const body = html`<table>
      <tr>
        <th>Product</th>
        <th>Price</th>
        <th>Quantity</th>
        <th></th>
      </tr>
      ${cart.lines.map(
        (line) =>
          html`<tr data-line="${line.productId}">
            <td><a href="/products/${encodeURIComponent(line.slug)}">${line.name}</a></td>
            <td>${formatMoney(line.unitPriceMinor, cart.currency)}</td>
            <td>
              <form class="inline" action="/cart/update" method="post">
                ${csrfField(view)}
                <input type="hidden" name="product_id" value="${line.productId}" />
                <input type="number" name="quantity" value="${line.quantity}" min="0" max="10" /><button>
                  Update
                </button>
              </form>
            </td>
            <td>
              <form class="inline" action="/cart/remove" method="post">
                ${csrfField(view)} <input type="hidden" name="product_id" value="${line.productId}" /><button>
                  Remove
                </button>
              </form>
            </td>
          </tr>`,
      )}
    </table>
    ${totals(cart)} ${cart.couponProblem ? html`<p class="notice">${cart.couponProblem}</p>` : ''}
    <form action="/cart/coupon" method="post">
      ${csrfField(view)} <label>Coupon <input name="code" maxlength="32" /></label><button>Apply</button>
    </form>
    <p><a href="/checkout">Proceed to checkout</a></p>`;
  return page(view, 'Your cart', body, notice);
}

export function checkoutPage(view: ViewContext, cart: Cart, address: string, notice?: string): SafeHtml {
  return page(
    view,
    'Checkout',
    html`${totals(cart)}
      <form class="stack" action="/checkout" method="post">
        ${csrfField(view)}
        <label
          >Shipping address <textarea name="address" required maxlength="500">${address}</textarea>
        </label>
        <label
          >Card number <input name="card_number" inputmode="numeric" autocomplete="cc-number" required
        /></label>
        <label>Expiry month <input name="exp_month" inputmode="numeric" placeholder="MM" required /></label>
        <label>Expiry year <input name="exp_year" inputmode="numeric" placeholder="YYYY" required /></label>
        <label>CVC <input name="cvc" inputmode="numeric" required /></label>
        <button>Pay ${cart.totalMinor / 100} ${cart.currency}</button>
      </form>
      <p><small>Test cards: 4242 4242 4242 4242 succeeds, 4000 0000 0000 0002 is declined.</small></p>`,
    notice,
  );
}
