/**
 * The deliberate flaws `vulnerable: true` turns on, as data: docs/demo.md shows this list
 * and the vulnerable-mode tests exploit each entry. Safe mode has none of them.
 */

export interface Vulnerability {
  id: string;
  title: string;
  route: string;
  cwe: string;
  exploit: string;
  safeBehaviour: string;
}

export const VULNERABILITIES = [
  {
    id: 'sql-injection-search',
    title: 'SQL injection in product search',
    route: 'GET /search?q=',
    cwe: 'CWE-89',
    exploit:
      "The search term is concatenated into a LIKE query. `/search?q=' OR 1=1 --` lists unpublished products too; " +
      "`/search?q=' UNION SELECT id, email, password_hash, 0, 'EUR', 'x' FROM customers --` lists customers and " +
      'their password hashes; a stray quote shows the SQLite error on the page.',
    safeBehaviour: 'A parameterised query with escaped LIKE wildcards; errors are never shown.',
  },
  {
    id: 'reflected-xss-search',
    title: 'Reflected XSS in the search results heading',
    route: 'GET /search?q=',
    cwe: 'CWE-79',
    exploit: '`/search?q=<script>alert(document.domain)</script>` is echoed into the page unescaped.',
    safeBehaviour: 'Every value is HTML-escaped and the CSP forbids inline scripts.',
  },
  {
    id: 'stored-xss-reviews',
    title: 'Stored XSS in product reviews',
    route: 'POST /products/:slug/reviews, GET /products/:slug',
    cwe: 'CWE-79',
    exploit:
      'A review whose text is `<img src=x onerror=alert(document.domain)>` is stored and written unescaped into ' +
      'the product page: the script runs in the browser of every visitor of that product.',
    safeBehaviour: 'Review names and texts are HTML-escaped and the CSP forbids inline scripts.',
  },
  {
    id: 'idor-order-page',
    title: 'Insecure direct object reference on order pages',
    route: 'GET /orders/:id, GET /api/orders/:id',
    cwe: 'CWE-639',
    exploit:
      'Order ids are sequential (1000, 1001, …). Logged in as any customer, open `/orders/1000` to read ' +
      "another customer's order, shipping address and card digits.",
    safeBehaviour: 'Only the owner (or an admin) sees an order; everyone else gets 404.',
  },
  {
    id: 'client-price-trusted',
    title: 'Client-supplied price trusted at checkout',
    route: 'POST /cart/add (hidden field price_minor) → POST /checkout',
    cwe: 'CWE-602',
    exploit:
      'The add-to-cart form carries a hidden `price_minor` field. Post `price_minor=1` and checkout charges 0.01 EUR ' +
      'per item.',
    safeBehaviour: 'The field is ignored; prices always come from the catalogue.',
  },
  {
    id: 'coupon-replay',
    title: 'Single-use coupons can be replayed',
    route: 'POST /cart/coupon → POST /checkout',
    cwe: 'CWE-837',
    exploit:
      '`WELCOME10` is meant once per customer, but the shop never checks past redemptions: apply it to every order.',
    safeBehaviour:
      'A coupon already redeemed by the customer is refused ("You have already used this coupon").',
  },
  {
    id: 'quantity-not-validated',
    title: 'Negative and fractional quantities accepted',
    route: 'POST /cart/add (quantity), POST /api/cart → POST /checkout',
    cwe: 'CWE-1284',
    exploit:
      'The quantity is read with `parseFloat(quantity) || 1` and only capped at 10: `quantity=0.5` puts half an ' +
      'item in the cart at half price, and `quantity=-1` of a second product subtracts its price from the total ' +
      '(and adds it back to stock when the order is paid).',
    safeBehaviour: 'Only whole quantities from 1 are accepted; anything else answers 400.',
  },
  {
    id: 'client-currency-trusted',
    title: 'Client-supplied currency trusted at checkout',
    route: 'POST /cart/add (hidden field currency), POST /api/cart → POST /checkout',
    cwe: 'CWE-602',
    exploit:
      'The add-to-cart form carries a hidden `currency=EUR` field. Post `currency=HUF` and the cart, the order and ' +
      'the charge keep the EUR amounts but take the posted currency: 129.00 EUR becomes 129.00 HUF (about 0.33 EUR).',
    safeBehaviour: 'The shop charges in EUR only; any other currency answers 400.',
  },
  {
    id: 'coupon-stacking',
    title: 'Coupons that should not combine stack',
    route: 'POST /cart/coupon → POST /checkout',
    cwe: 'CWE-840',
    exploit:
      'One coupon per order is the rule, but every code applied stays on the cart: `WELCOME10` then `SPRING5` gives ' +
      '10 % and 5 EUR off the same order.',
    safeBehaviour: 'A new code replaces the one applied before: one coupon per order.',
  },
  {
    id: 'account-enumeration-login',
    title: 'Account enumeration on login',
    route: 'POST /login, POST /api/login',
    cwe: 'CWE-204',
    exploit:
      'An unknown email answers "There is no account with this email address", a known one "The email or password is ' +
      'wrong" (and faster, without the password check): a list of emails tells which are customers.',
    safeBehaviour:
      'One message for both, and unknown emails are checked against a dummy hash to take as long.',
  },
  {
    id: 'account-enumeration-registration',
    title: 'Account enumeration on registration',
    route: 'POST /register, POST /api/register',
    cwe: 'CWE-204',
    exploit:
      'Registering a known email answers 400 "An account with this email already exists", a new one creates the ' +
      'account: a list of emails tells which are customers, without a single login attempt.',
    safeBehaviour:
      'A taken email gets the same answer as a new one (303 to the home page, a fresh session, the same hashing ' +
      'time) and nobody is logged in; the business event records it.',
  },
  {
    id: 'no-login-rate-limit',
    title: 'No login rate limit',
    route: 'POST /login',
    cwe: 'CWE-307',
    exploit:
      'Unlimited password guesses per address and per account: credential stuffing runs at full speed.',
    safeBehaviour: 'After 20 failures per address or 5 per account in 15 minutes, logins answer 429.',
  },
  {
    id: 'no-payment-rate-limit',
    title: 'No payment rate limit (card testing)',
    route: 'POST /checkout, POST /api/checkout',
    cwe: 'CWE-799',
    exploit:
      'Unlimited declined payments per account and address: card testers check stolen numbers at full speed.',
    safeBehaviour:
      'After 25 failed payments per account (or 100 per address) in 15 minutes, checkout answers 429.',
  },
  {
    id: 'missing-csrf-protection',
    title: 'No CSRF tokens on forms',
    route: 'every POST form (cart, checkout, account, admin)',
    cwe: 'CWE-352',
    exploit:
      'Forms carry no `_csrf` token and none is checked: a page on another site can post to `/account/address` ' +
      "or `/cart/add` with the victim's cookie (a top-level form post is enough).",
    safeBehaviour: 'Every form carries the session token; a POST without it answers 403.',
  },
  {
    id: 'command-injection-carrier-status',
    title: 'OS command injection in parcel tracking',
    route: 'GET /carrier-status?parcel=',
    cwe: 'CWE-78',
    exploit:
      'The parcel number is pasted into a shell command line (a harmless `echo`): `/carrier-status?parcel=X;id` runs `id` and ' +
      'shows its output; `/carrier-status?parcel=X;sleep 2` answers two seconds late.',
    safeBehaviour: 'No shell: parcel numbers must be 4 to 20 letters and digits, anything else answers 400.',
  },
  {
    id: 'ssrf-image-proxy',
    title: 'Server-side request forgery in the carrier-logo image proxy',
    route: 'GET /image-proxy?url=',
    cwe: 'CWE-918',
    exploit:
      'Any URL on this machine is fetched and returned: `/image-proxy?url=http://127.0.0.1:8780/healthz` reads the ' +
      "gateway's internal endpoints. Fenced to loopback hosts so the demo never reaches the network.",
    safeBehaviour:
      "No outgoing request: only the shop's own logo is served, from memory; anything else answers 404.",
  },
  {
    id: 'missing-security-headers',
    title: 'Missing security headers',
    route: 'every response',
    cwe: 'CWE-693',
    exploit:
      'No Content-Security-Policy, X-Content-Type-Options, Referrer-Policy or frame-ancestors: the shop can be ' +
      'framed (clickjacking) and injected scripts run freely.',
    safeBehaviour: 'CSP with frame-ancestors none, nosniff, strict referrer policy, X-Frame-Options DENY.',
  },
  {
    id: 'exposed-dotenv',
    title: 'Exposed /.env file',
    route: 'GET /.env',
    cwe: 'CWE-538',
    exploit: '`/.env` serves the (fake) database URL, payment secret key and session secret.',
    safeBehaviour: '404.',
  },
  {
    id: 'exposed-git-config',
    title: 'Exposed /.git/config',
    route: 'GET /.git/config',
    cwe: 'CWE-527',
    exploit: '`/.git/config` serves the repository config with a (fake) access token in the remote URL.',
    safeBehaviour: '404 for everything under /.git/.',
  },
] as const satisfies readonly Vulnerability[];

export type VulnerabilityId = (typeof VULNERABILITIES)[number]['id'];
