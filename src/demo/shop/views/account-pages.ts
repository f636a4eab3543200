/**
 * Account pages: login, registration, address, the customer's orders, one order with its
 * delivery tracking, the admin's order list, and the generic message page.
 */
import { DELIVERY_STATUSES, nextDeliveryStatus, STATUS_LABELS } from '../delivery.js';
import { formatMoney, html, type SafeHtml } from '../html.js';
import type { Order } from '../orders.js';
import { csrfField, page, type ViewContext } from './layout.js';

export function loginPage(view: ViewContext, email = '', notice?: string): SafeHtml {
  return page(
    view,
    'Log in',
    html`<form class="stack" action="/login" method="post">
      ${csrfField(view)}
      <label>Email <input type="email" name="email" value="${email}" required /></label>
      <label>Password <input type="password" name="password" required /></label>
      <button>Log in</button>
    </form>`,
    notice,
  );
}

export function registerPage(
  view: ViewContext,
  values: { email: string; name: string },
  notice?: string,
): SafeHtml {
  return page(
    view,
    'Create an account',
    html`<form class="stack" action="/register" method="post">
      ${csrfField(view)}
      <label>Name <input name="name" value="${values.name}" required maxlength="100" /></label>
      <label>Email <input type="email" name="email" value="${values.email}" required /></label>
      <label>Password (8+ characters) <input type="password" name="password" required minlength="8" /></label>
      <button>Register</button>
    </form>`,
    notice,
  );
}

export function accountPage(view: ViewContext, notice?: string): SafeHtml {
  const customer = view.session?.customer;
  return page(
    view,
    'Your account',
    html`<p>${customer?.name} (${customer?.email})</p>
      <form class="stack" action="/account/address" method="post">
        ${csrfField(view)}
        <label
          >Postal address <textarea name="address" maxlength="500">${customer?.postalAddress}</textarea>
        </label>
        <button>Save address</button>
      </form>`,
    notice,
  );
}

function statusCell(order: Order): SafeHtml {
  return html`<span class="status" data-status="${order.status}">${STATUS_LABELS[order.status]}</span>`;
}

export function ordersPage(view: ViewContext, orders: Order[]): SafeHtml {
  const body = orders.length
    ? html`<table>
        <tr>
          <th>Order</th>
          <th>Total</th>
          <th>Status</th>
        </tr>
        ${orders.map(
          (o) =>
            html`<tr>
              <td><a href="/orders/${o.id}">#${o.id}</a></td>
              <td>${formatMoney(o.totalMinor, o.currency)}</td>
              <td>${statusCell(o)}</td>
            </tr>`,
        )}
      </table>`
    : html`<p>No orders yet.</p>`;
  return page(view, 'Your orders', body);
}

export function orderPage(view: ViewContext, order: Order, notice?: string): SafeHtml {
  const reached = new Map(order.history.map((h) => [h.status, h.atMs]));
  return page(
    view,
    `Order #${order.id}`,
    html`<p>Status: ${statusCell(order)}</p>
      <table>
        <tr>
          <th>Item</th>
          <th>Price</th>
          <th>Quantity</th>
        </tr>
        ${order.items.map(
          (i) =>
            html`<tr>
              <td>${i.name}</td>
              <td>${formatMoney(i.unitPriceMinor, order.currency)}</td>
              <td>${i.quantity}</td>
            </tr>`,
        )}
        <tr>
          <th>Discount${order.couponCode ? ` (${order.couponCode})` : ''}</th>
          <td>-${formatMoney(order.discountMinor, order.currency)}</td>
          <td></td>
        </tr>
        <tr>
          <th>Total</th>
          <td class="total">${formatMoney(order.totalMinor, order.currency)}</td>
          <td></td>
        </tr>
      </table>
      <p>Ship to: <span class="address">${order.shippingAddress}</span></p>
      <p>Paid with ${order.cardBrand} ending ${order.cardLast4}; customer ${order.customerEmail}</p>
      <h2>Tracking</h2>
      <ol class="tracking">
        ${DELIVERY_STATUSES.map((status) => {
          const atMs = reached.get(status);
          return html`<li class="${atMs === undefined ? 'todo' : 'done'}">
            ${STATUS_LABELS[status]}
            ${atMs === undefined ? '' : html`<time>${new Date(atMs).toISOString()}</time>`}
          </li>`;
        })}
      </ol>`,
    notice,
  );
}

export function adminPage(view: ViewContext, orders: Order[], notice?: string): SafeHtml {
  return page(
    view,
    'Admin: orders',
    html`<table>
      <tr>
        <th>Order</th>
        <th>Customer</th>
        <th>Total</th>
        <th>Status</th>
        <th></th>
      </tr>
      ${orders.map(
        (o) =>
          html`<tr data-order-id="${o.id}">
            <td><a href="/orders/${o.id}">#${o.id}</a></td>
            <td>${o.customerEmail}</td>
            <td>${formatMoney(o.totalMinor, o.currency)}</td>
            <td>${statusCell(o)}</td>
            <td>
              ${
                nextDeliveryStatus(o.status)
                  ? html`<form class="inline" action="/admin/orders/${o.id}/advance" method="post">
                      ${csrfField(view)}
                      <button>Mark ${STATUS_LABELS[nextDeliveryStatus(o.status) ?? 'delivered']}</button>
                    </form>`
                  : ''
              }
            </td>
          </tr>`,
      )}
    </table>`,
    notice,
  );
}

export function messagePage(view: ViewContext, title: string, message: string): SafeHtml {
  return page(
    view,
    title,
    html`<p class="message">${message}</p>
      <p><a href="/">Back to the shop</a></p>`,
  );
}
