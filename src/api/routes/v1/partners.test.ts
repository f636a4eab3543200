/** The partner directory route (api/v1): the configured partners and their channels, to readers only. */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PartnerDirectoryEntry } from '../../../response/notices/partners.js';
import { startHarness, type Harness } from '../../testing/harness.js';

const partners = JSON.parse(
  readFileSync(new URL('./fixtures/partners.json', import.meta.url), 'utf8'),
) as PartnerDirectoryEntry[];

let h: Harness;
beforeAll(async () => {
  h = await startHarness({}, { partners });
});
afterAll(() => h.close());

describe('partner directory', () => {
  it('lists every configured partner with the channels it can be reached on', async () => {
    const res = await h.call('GET', '/api/v1/partners', { token: h.tokens.viewer });
    expect(res.statusCode).toBe(200);
    const items = (res.json() as { items: { id: string; channels: string[] }[] }).items;
    expect(items.map((p) => [p.id, p.channels])).toEqual([
      ['psp', ['webhook']],
      ['dhl-like', ['email', 'webhook']],
      ['cert-de', ['email']],
    ]);
  });

  it('is not for partners, sources or anonymous callers', async () => {
    expect((await h.call('GET', '/api/v1/partners', { token: h.tokens.partner })).statusCode).toBe(403);
    expect((await h.call('GET', '/api/v1/partners', { token: h.tokens.source })).statusCode).toBe(403);
    expect((await h.call('GET', '/api/v1/partners')).statusCode).toBe(401);
  });
});
