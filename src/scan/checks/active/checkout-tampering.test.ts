/**
 * The business-logic probes of checkout-tampering and the registration comparison of
 * account-enumeration, each against a tiny local shop (testing/checkout-server.ts) with one
 * flaw switched on, and against the same shop validating everything: each flaw found alone,
 * nothing found on the validating shop nor on one that converts currencies correctly.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { parseLoginRecipe } from '../../auth/recipe.js';
import { runScan, type ScanReport } from '../../scanner.js';
import {
  CHECKOUT_SERVER_ACCOUNT,
  startCheckoutServer,
  type CheckoutFlaws,
} from '../../testing/checkout-server.js';

const RECIPE =
  parseLoginRecipe(`login: { url: /login, fields: { email: "{username}", password: "{password}" }, success: { status: [303] } }
accounts:
  - { name: alice, username: ${CHECKOUT_SERVER_ACCOUNT.email}, password: ${CHECKOUT_SERVER_ACCOUNT.password} }
checkout:
  card: { number: '4242424242424242', expMonth: '12', expYear: '2030', cvc: '123' }
  coupons: [TEN, FIVE]`);

const servers: { close(): Promise<void> }[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

async function scan(flaws: CheckoutFlaws): Promise<ScanReport> {
  const server = await startCheckoutServer(flaws);
  servers.push(server);
  return runScan({
    target: `${server.url}/`,
    active: true,
    checks: ['checkout-tampering', 'account-enumeration'],
    loginRecipe: RECIPE,
    maxRequests: 300,
    ratePerSecond: 0,
  });
}

const findings = (report: ScanReport) =>
  report.findings.map((f) => `${f.checkId} ${f.cwe} ${f.detailKey ?? ''}`).sort();

describe('checkout-tampering and registration enumeration on a tiny shop', { timeout: 30_000 }, () => {
  it('finds nothing on a shop that validates, and says it tested everything', async () => {
    const report = await scan({});
    expect(findings(report)).toEqual([]);
    const check = (id: string) => report.checks.find((c) => c.checkId === id);
    expect([check('checkout-tampering')?.status, check('checkout-tampering')?.tested]).toEqual(['tested', 7]);
    expect([check('account-enumeration')?.status, check('account-enumeration')?.tested]).toEqual([
      'tested',
      2,
    ]);
  });

  it('finds a trusted hidden price', async () => {
    const report = await scan({ price: true });
    expect(findings(report)).toEqual(['checkout-tampering CWE-602 price']);
    expect(report.findings[0]?.data).toMatchObject({ baselineMinor: 4000, tamperedMinor: 1 });
  });

  it('finds negative and fractional quantities (one finding, both probes)', async () => {
    const report = await scan({ quantity: true });
    expect(findings(report)).toEqual(['checkout-tampering CWE-1284 quantity']);
    expect(report.findings[0]?.occurrences).toBe(2);
    expect(report.findings[0]?.data).toMatchObject({ value: '-1', tamperedMinor: -4000 });
  });

  it('finds a posted currency that relabels the amount', async () => {
    const report = await scan({ currency: true });
    expect(findings(report)).toEqual(['checkout-tampering CWE-602 currency']);
    expect(report.findings[0]?.title).toBe(
      'Tampered currency accepted at checkout: POST /cart/add (currency)',
    );
    expect(report.findings[0]?.evidence.proof).toContain('40.00 JPY');
  });

  it('finds nothing on a shop that converts the posted currency', async () => {
    expect(findings(await scan({ convertCurrency: true }))).toEqual([]);
  });

  it('finds stacked coupons, filling the cart to reach the second coupon minimum', async () => {
    const report = await scan({ stacking: true });
    expect(findings(report)).toEqual(['checkout-tampering CWE-840 coupon-stacking']);
    // FIVE needs 50.00: one item (40.00) is not enough, three (120.00) are: 120.00 - 12.00 - 5.00.
    expect(report.findings[0]?.evidence.proof).toContain(
      'total 10300 with both coupons, 10800 with TEN alone, 11500 with FIVE alone (minor units, 3 items)',
    );
  });

  it('finds a replayed single-use coupon', async () => {
    const report = await scan({ replay: true });
    expect(findings(report)).toEqual(['checkout-tampering CWE-837 coupon-replay']);
  });

  it('finds a registration form that says the email is already registered', async () => {
    const report = await scan({ registrationSaysTaken: true });
    expect(findings(report)).toEqual(['account-enumeration CWE-204 registration']);
    const proof = report.findings[0]?.evidence.proof ?? '';
    expect(proof).toContain('status 400 for the known account, 303 for an unknown one');
    expect(proof).toContain('This email is already registered.');
  });
});
