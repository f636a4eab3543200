import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiClient } from '../../client.js';
import { sampleOutboxMessage } from '../../../response/outbox/fixtures/messages.js';
import type { OutboxMessage } from '../../../store/store.js';
import { startHarness, type Harness } from '../../testing/harness.js';

let h: Harness;
let customerNotice: OutboxMessage;
let partnerNotice: OutboxMessage;

beforeAll(async () => {
  h = await startHarness();
  const nowMs = h.clock.nowMs();
  customerNotice = sampleOutboxMessage(
    {
      channel: 'email',
      audience: 'customers',
      recipient: 'Ann.Example@example.com',
      partnerId: null,
      content: { kind: 'email', subject: 's', text: 't', html: 'h', attachments: [] },
    },
    nowMs,
  );
  partnerNotice = sampleOutboxMessage({}, nowMs + 1);
  await h.store.outbox.enqueue(customerNotice);
  await h.store.outbox.enqueue(partnerNotice);
  // The customer notice failed for good.
  await h.store.outbox.claimDue({ nowMs, limit: 1, leaseMs: 1_000, leaseToken: 'test' });
  await h.store.outbox.settle(customerNotice.id, 'test', {
    status: 'dead',
    atMs: nowMs,
    error: '550 <address> rejected',
  });
});
afterAll(() => h.close());

describe('notices API', () => {
  it('lists notices with their delivery status, customers pseudonymised', async () => {
    const res = await h.call('GET', '/api/v1/notices', { token: h.tokens.viewer });
    expect(res.statusCode).toBe(200);
    const { items } = res.json() as { items: Array<{ id: string; status: string; recipient: string }> };
    expect(items.map((item) => [item.id, item.status])).toEqual([
      [partnerNotice.id, 'pending'],
      [customerNotice.id, 'dead'],
    ]);
    expect(items[1]?.recipient).toMatch(/^pii:email:/);
    expect(res.body.toLowerCase()).not.toContain('ann.example@example.com');
    expect(res.body).not.toContain('"content"');

    const dead = await h.call('GET', '/api/v1/notices?status=dead&limit=1', { token: h.tokens.viewer });
    expect((dead.json() as { items: Array<{ id: string }> }).items.map((item) => item.id)).toEqual([
      customerNotice.id,
    ]);
  });

  it('lets an analyst retry a dead notice, logged in the ledger', async () => {
    const res = await h.call('POST', `/api/v1/notices/${customerNotice.id}/retry`, {
      token: h.tokens.analyst,
    });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({
      id: customerNotice.id,
      status: 'pending',
      lastError: '550 <address> rejected',
    });
    const entries = await h.store.ledger.entriesForRecord(customerNotice.id);
    expect(entries.map((entry) => entry.kind)).toEqual(['notice.requeued']);
    expect(entries[0]?.entry.toLowerCase()).not.toContain('ann.example@example.com');
  });

  it('refuses to retry a notice that is not failed or dead, or does not exist', async () => {
    const pending = await h.call('POST', `/api/v1/notices/${partnerNotice.id}/retry`, {
      token: h.tokens.admin,
    });
    expect(pending.statusCode).toBe(409);
    expect((pending.json() as { error: { code: string } }).error.code).toBe('notice_not_retryable');
    const missing = await h.call('POST', '/api/v1/notices/ntc_01JD3Q7Z9X8K2M4N6P8R0T2V4W/retry', {
      token: h.tokens.admin,
    });
    expect(missing.statusCode).toBe(404);
  });

  it('refuses retries by viewers and partners', async () => {
    for (const token of [h.tokens.viewer, h.tokens.partner]) {
      const res = await h.call('POST', `/api/v1/notices/${partnerNotice.id}/retry`, { token });
      expect(res.statusCode).toBe(403);
    }
  });

  it('is reached by the API client the CLI uses', async () => {
    await h.app.listen({ host: '127.0.0.1', port: 0 });
    const api = new ApiClient({
      baseUrl: `http://127.0.0.1:${(h.app.server.address() as AddressInfo).port}`,
      token: h.tokens.analyst,
    });
    const page = await api.notices.list({ audience: 'partners', limit: 5 });
    expect(page.items.map((item) => item.id)).toEqual([partnerNotice.id]);
    expect((await api.notices.get(partnerNotice.id)).status).toBe('pending');
    await expect(api.notices.retry(partnerNotice.id)).rejects.toMatchObject({ code: 'notice_not_retryable' });
  });
});
