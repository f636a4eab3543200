import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../core/clock.js';
import {
  createHttpPaymentProvider,
  createInProcessPaymentProvider,
  createPaymentProviderServer,
  isLuhnValid,
  TEST_CARDS,
  withLuhnCheckDigit,
  type PaymentProviderServer,
} from './index.js';

const future = { expMonth: 12, expYear: new Date().getUTCFullYear() + 2, cvc: '123' };

describe('fake payment provider', () => {
  it('checks Luhn and builds check digits', () => {
    expect(isLuhnValid('4242424242424242')).toBe(true);
    expect(isLuhnValid('4242424242424241')).toBe(false);
    expect(isLuhnValid('42424242abcd4242')).toBe(false);
    expect(isLuhnValid(withLuhnCheckDigit('400000000000123'))).toBe(true);
  });

  it('gives every test card its documented outcome', async () => {
    const provider = createInProcessPaymentProvider();
    for (const card of TEST_CARDS) {
      const token = await provider.tokenise({ number: card.number, ...future });
      if (!token.ok) throw new Error(`tokenise failed for ${card.number}`);
      expect(token.token).toMatch(/^tok_[0-9a-f]{24}$/);
      const result = await provider.authorise({ token: token.token, amountMinor: 1000, currency: 'EUR' });
      expect(result.ok ? null : result.code).toBe(card.declineCode);
    }
  });

  it('rejects bad card data, expired cards and reused tokens', async () => {
    const clock = new ManualClock(Date.UTC(2030, 5, 15));
    const provider = createInProcessPaymentProvider({ clock });
    expect(await provider.tokenise({ number: '1234', ...future })).toMatchObject({
      ok: false,
      code: 'invalid_number',
    });
    expect(await provider.tokenise({ number: '4242424242424242', ...future, cvc: '1' })).toMatchObject({
      code: 'invalid_cvc',
    });
    const expired = await provider.tokenise({
      number: '4242424242424242',
      expMonth: 1,
      expYear: 2030,
      cvc: '123',
    });
    if (!expired.ok) throw new Error('expected a token');
    expect(
      await provider.authorise({ token: expired.token, amountMinor: 100, currency: 'EUR' }),
    ).toMatchObject({
      code: 'expired_card',
    });
    expect(
      await provider.authorise({ token: expired.token, amountMinor: 100, currency: 'EUR' }),
    ).toMatchObject({
      code: 'token_invalid',
    });
  });

  describe('over HTTP', () => {
    let server: PaymentProviderServer;
    let url: string;
    beforeAll(async () => {
      server = createPaymentProviderServer({ port: 0 });
      ({ url } = await server.listen());
    });
    afterAll(async () => server.close());

    it('tokenises and authorises through the HTTP client', async () => {
      const client = createHttpPaymentProvider(url);
      const token = await client.tokenise({ number: '4242 4242 4242 4242', ...future });
      if (!token.ok) throw new Error('tokenise failed');
      expect(token.last4).toBe('4242');
      const result = await client.authorise({ token: token.token, amountMinor: 4990, currency: 'EUR' });
      expect(result.ok && result.paymentId).toMatch(/^pay_/);
    });

    it('refuses a non-loopback provider URL', () => {
      expect(() => createHttpPaymentProvider('http://payments.example.com')).toThrow(/loopback/);
    });
  });
});
