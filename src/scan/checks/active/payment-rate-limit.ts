/**
 * Missing rate limit on payment (card-testing exposure): with the first test account of the
 * login recipe, one item in the cart, the checkout form is submitted `PAYMENT_ATTEMPTS`
 * times with the recipe's `checkout.declinedCards` (test cards the shop's payment provider
 * declines, so no money moves). A 429/423, a Retry-After header or an answer saying "too
 * many" counts as a limit; none in all attempts is a finding. The attempts go through the
 * scanner's budget and rate limit like every request.
 */
import { evidenceOf } from '../../findings/evidence.js';
import type { ScanResponse } from '../../http/client.js';
import type { Check, CheckContext } from '../check.js';
import { addToCartForm, cardFields, cartUrlAfter, checkoutForm, freshForm, postForm } from './shop-flows.js';

/** Above the limits shops commonly set per account (5 to 25 declines in 15 minutes). */
export const PAYMENT_ATTEMPTS = 30;
const LIMITED_TEXT = /too many|rate limit|try again later|temporarily (locked|blocked)|captcha/i;

export const paymentRateLimitCheck: Check = {
  id: 'payment-rate-limit',
  kind: 'active',
  attackClass: 'business-logic',
  title: `Payment rate limit (${PAYMENT_ATTEMPTS} declined test cards from one account)`,
  async run(context) {
    const cards = context.auth.checkout?.declinedCards ?? [];
    const first = context.auth.accounts[0];
    if (!first || cards.length === 0)
      return {
        status: 'not-tested',
        tested: 0,
        reason:
          'needs a login recipe with an account and checkout.declinedCards (test cards the provider declines)',
      };
    const form = addToCartForm(context.site);
    if (!form) return { status: 'not-tested', tested: 0, reason: 'the crawl found no add-to-cart form' };
    const session = (await context.auth.freshSession(first.name)) ?? first;
    const fresh = await freshForm(context.http, form, session.jar, session.headers);
    const added = fresh ? await postForm(context.http, fresh, {}, session.jar, session.headers) : null;
    if (!added?.ok || added.status >= 400)
      return { status: 'not-tested', tested: 0, reason: 'could not put an item in the cart' };
    const cart = await context.http.send({
      url: cartUrlAfter(added, context.target.origin),
      jar: session.jar,
      headers: session.headers,
    });
    const checkout = cart.ok ? await checkoutForm(context.http, cart, session.jar, session.headers) : null;
    if (!checkout)
      return { status: 'not-tested', tested: 0, reason: 'no checkout form with card fields was found' };
    const address = Object.fromEntries(
      checkout.form.fields
        .filter((f) => /address|street/i.test(f.name) && !f.value)
        .map((f) => [f.name, 'Ensuresec scan, 1 Test Street']),
    );
    const responses: ScanResponse[] = [];
    for (let attempt = 1; attempt <= PAYMENT_ATTEMPTS; attempt++) {
      const card = cards[(attempt - 1) % cards.length] as string;
      const res = await postForm(
        context.http,
        checkout.form,
        {
          ...cardFields(checkout.form, { number: card, expMonth: '12', expYear: '2030', cvc: '123' }),
          ...address,
        },
        session.jar,
        session.headers,
      );
      if (!res.ok)
        return {
          status: 'not-tested',
          tested: attempt - 1,
          reason: `payment attempt ${attempt}: ${res.detail}`,
        };
      if (
        res.status === 429 ||
        res.status === 423 ||
        res.headers['retry-after'] ||
        (res.status >= 400 && LIMITED_TEXT.test(res.body))
      )
        return { status: 'tested', tested: 1 };
      if (res.status < 400)
        return {
          status: 'not-tested',
          tested: 0,
          reason: `declined test card ${card.slice(-4)} was accepted (HTTP ${res.status}): check checkout.declinedCards`,
        };
      if (res.status === 403 || res.status === 400 || res.status === 401)
        return {
          status: 'not-tested',
          tested: 0,
          reason: `the checkout refused the scanner's request (${res.status})`,
        };
      responses.push(res);
    }
    report(context, checkout.form.action, responses);
    return { status: 'tested', tested: 1 };
  },
};

function report(context: CheckContext, action: string, responses: ScanResponse[]): void {
  const last = responses[responses.length - 1] as ScanResponse;
  const statuses = [...new Set(responses.map((r) => r.status))].join(', ');
  context.report({
    checkId: 'payment-rate-limit',
    attackClass: 'business-logic',
    title: 'No rate limit on payment attempts (card testing)',
    cvssVector: 'CVSS:3.1/AV:N/AC:L/PR:L/UI:N/S:U/C:L/I:L/A:N',
    cwe: 'CWE-799',
    url: action,
    method: 'POST',
    detailKey: 'payment',
    description: `${PAYMENT_ATTEMPTS} declined payments in a row from one account were all answered (HTTP ${statuses}) without any limit: fraudsters can test stolen card numbers through the shop, which pays the provider's fees and risks its merchant account.`,
    evidence: evidenceOf(
      last,
      `attempt ${PAYMENT_ATTEMPTS} of ${PAYMENT_ATTEMPTS} answered ${last.status}, no 429, no Retry-After`,
    ),
    reproduce: `Log in as the test account, put an item in the cart and submit ${new URL(action).pathname} ${PAYMENT_ATTEMPTS} times with a declined test card.`,
    remediation:
      'Limit failed payments per account, per card fingerprint and per client address (e.g. 5 declines per account in 15 minutes, answered 429 with Retry-After); add a CAPTCHA or 3-D Secure after declines; alert on bursts of declines.',
  });
}
