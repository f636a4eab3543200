import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TOPICS, type ModeChange } from '../../../bus/bus.js';
import { startHarness, type Harness } from '../../testing/harness.js';

let h: Harness;
const changes: ModeChange[] = [];

beforeAll(async () => {
  h = await startHarness();
  h.bus.subscribe<ModeChange>(TOPICS.modes, (message) => void changes.push(message.data), {
    group: 'modes-test',
  });
});
afterAll(() => h.close());

describe('fail-safe modes API', () => {
  it('lists the built-in modes to readers, none in force', async () => {
    const res = await h.call('GET', '/api/v1/modes', { token: h.tokens.viewer });
    expect(res.statusCode).toBe(200);
    const items = (res.json() as { items: Array<{ name: string; active: unknown }> }).items;
    expect(items.map((m) => m.name)).toContain('checkout-freeze');
    expect(items.every((m) => m.active === null)).toBe(true);
  });

  it('lets analysts switch a mode on with a ttl and a reason, and publishes the change', async () => {
    const res = await h.call('POST', '/api/v1/modes/checkout-freeze/enable', {
      token: h.tokens.analyst,
      body: { ttl: '30m', reason: 'card testing wave' },
    });
    expect(res.statusCode).toBe(200);
    const record = res.json() as { enabledBy: string; until: string; reason: string };
    expect(record.enabledBy).toBe('analyst-user');
    expect(record.until).toBe(new Date(h.clock.nowMs() + 30 * 60_000).toISOString());
    await h.bus.drain();
    expect(changes).toContainEqual({ type: 'enabled', name: 'checkout-freeze' });

    const listed = await h.call('GET', '/api/v1/modes', { token: h.tokens.viewer });
    const freeze = (
      listed.json() as { items: Array<{ name: string; active: { reason: string } | null }> }
    ).items.find((m) => m.name === 'checkout-freeze');
    expect(freeze?.active?.reason).toBe('card testing wave');
  });

  it('lets an admin switch it off with a reason; a second disable is a conflict', async () => {
    const res = await h.call('POST', '/api/v1/modes/checkout-freeze/disable', {
      token: h.tokens.admin,
      body: { reason: 'wave over' },
    });
    expect(res.statusCode).toBe(200);
    expect((res.json() as { disabledBy: string }).disabledBy).toBe('admin-user');
    const again = await h.call('POST', '/api/v1/modes/checkout-freeze/disable', {
      token: h.tokens.admin,
      body: { reason: 'wave over' },
    });
    expect(again.statusCode).toBe(409);
    expect((again.json() as { error: { code: string } }).error.code).toBe('conflict');
  });

  it('refuses viewers, anonymous callers and partners', async () => {
    const body = { reason: 'x' };
    const viewer = await h.call('POST', '/api/v1/modes/read-only/enable', { token: h.tokens.viewer, body });
    const anonymous = await h.call('POST', '/api/v1/modes/read-only/enable', { body });
    const partner = await h.call('GET', '/api/v1/modes', { token: h.tokens.partner });
    expect([viewer.statusCode, anonymous.statusCode, partner.statusCode]).toEqual([403, 401, 403]);
  });

  it('answers client mistakes with stable codes, never a 500', async () => {
    const cases: Array<[string, unknown, number, string]> = [
      ['/api/v1/modes/no-such-mode/enable', { reason: 'x' }, 404, 'mode_unknown'],
      ['/api/v1/modes/no-such-mode/disable', { reason: 'x' }, 404, 'mode_unknown'],
      ['/api/v1/modes/Bad%20Name/enable', { reason: 'x' }, 400, 'validation_failed'],
      ['/api/v1/modes/read-only/enable', { reason: '' }, 400, 'validation_failed'],
      ['/api/v1/modes/read-only/enable', { reason: 'x', ttl: 'soon' }, 400, 'validation_failed'],
      ['/api/v1/modes/read-only/enable', { reason: 'x', ttl: '90d' }, 400, 'validation_failed'],
      ['/api/v1/modes/read-only/enable', { reason: 'x', extra: 1 }, 400, 'validation_failed'],
      [
        '/api/v1/modes/read-only/enable',
        { reason: 'x', recovery: { ruleId: 'r' } },
        400,
        'validation_failed',
      ],
    ];
    for (const [url, body, status, code] of cases) {
      const res = await h.call('POST', url, { token: h.tokens.admin, body });
      expect([url, res.statusCode, (res.json() as { error: { code: string } }).error.code]).toEqual([
        url,
        status,
        code,
      ]);
    }
  });

  it('records every change in the ledger with its author', async () => {
    const rows = await h.store.ledger.entriesForRecord('mode:checkout-freeze');
    expect(rows.map((row) => row.kind)).toEqual(['mode.enabled', 'mode.disabled']);
    expect((JSON.parse(rows[0]?.entry ?? '{}') as { actor: string }).actor).toBe(h.users.analyst.id);
  });
});
