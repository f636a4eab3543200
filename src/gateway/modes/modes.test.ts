import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pino } from 'pino';
import { request } from 'undici';
import { ManualClock } from '../../core/clock.js';
import {
  rawRequest,
  startGateway,
  startUpstream,
  type TestGateway,
  type Upstream,
} from '../testing/harness.js';
import { BUILT_IN_MODES, compileModes } from './definitions.js';
import { ModeEnforcer, type ActiveModeState } from './enforcer.js';
import { compilePathGlob, normaliseModePath } from './paths.js';

interface ModeCase {
  mode: string;
  method: string;
  path: string;
  ip?: string;
  status: number;
}
const fixture = JSON.parse(readFileSync(new URL('./fixtures/mode-cases.json', import.meta.url), 'utf8')) as {
  cases: ModeCase[];
};

/** A provider the test sets by hand; `notify` plays the bus. */
function modesProvider(): {
  states: ActiveModeState[];
  provider: { listActive(): Promise<ActiveModeState[]>; subscribe(onChange: () => void): () => void };
  notify(): void;
} {
  const listeners = new Set<() => void>();
  const state = {
    states: [] as ActiveModeState[],
    provider: {
      listActive: async () => [...state.states],
      subscribe(onChange: () => void) {
        listeners.add(onChange);
        return () => listeners.delete(onChange);
      },
    },
    notify: () => listeners.forEach((listener) => listener()),
  };
  return state;
}

describe('fail-safe mode paths', () => {
  it('normalises spellings a lenient shop would accept', () => {
    expect(normaliseModePath('/Checkout/')).toBe('/checkout');
    expect(normaliseModePath('/a//b/./c/../D?x=1#f')).toBe('/a/b/d');
    expect(normaliseModePath('/%2563heckout')).toBe('/checkout');
    expect(normaliseModePath('/static/..%2F..%2Fadmin')).toBe('/admin');
  });

  it('matches globs by whole segments', () => {
    const glob = compilePathGlob('/checkout/**');
    expect(['/checkout', '/checkout/pay', '/checkout/a/b'].map((p) => glob.test(p))).toEqual([
      true,
      true,
      true,
    ]);
    expect(glob.test('/checkouts')).toBe(false);
    expect(compilePathGlob('/api/*/cart').test('/api/v2/cart')).toBe(true);
    expect(compilePathGlob('/api/*/cart').test('/api/v2/x/cart')).toBe(false);
  });

  it('refuses a mode that names an undefined route group', () => {
    expect(() =>
      compileModes({ modes: { bad: { description: '', effect: 'unavailable', routes: ['nope'] } } }),
    ).toThrow(/route group "nope"/);
  });
});

describe('fail-safe modes at the gateway', () => {
  let upstream: Upstream;
  let gw: TestGateway;
  const modes = modesProvider();

  beforeAll(async () => {
    upstream = await startUpstream();
    gw = await startGateway(upstream.url, {
      trustProxy: true,
      modes: { provider: modes.provider, refreshMs: 60_000 },
      challenge: { secret: Buffer.alloc(32, 7), difficultyBits: 4, passTtlMs: 60_000 },
      brand: 'Demo Shop',
    });
  });
  afterAll(async () => {
    await gw.gateway.close();
    await upstream.close();
  });

  async function setModes(states: ActiveModeState[]): Promise<void> {
    modes.states = states;
    modes.notify();
    await gw.gateway.refreshModes();
  }

  it('passes everything when no mode is in force', async () => {
    await setModes([]);
    const res = await request(`${gw.base}/checkout`, { method: 'POST', body: 'x=1' });
    await res.body.text();
    expect(res.statusCode).toBe(200);
  });

  it.each(fixture.cases)('$mode: $method $path from $ip -> $status', async (c) => {
    await setModes([{ name: c.mode, until: null }]);
    const res = await request(`${gw.base}${c.path}`, {
      method: c.method as 'GET',
      headers: { 'x-forwarded-for': c.ip ?? '127.0.0.1', accept: 'application/json' },
    });
    await res.body.text();
    expect(res.statusCode).toBe(c.status);
  });

  it('shows browsers the branded 503 page with Retry-After during a checkout freeze', async () => {
    await setModes([{ name: 'checkout-freeze', until: null }]);
    const res = await request(`${gw.base}/checkout`, { headers: { accept: 'text/html,*/*' } });
    const html = await res.body.text();
    expect(res.statusCode).toBe(503);
    expect(res.headers['retry-after']).toBe(String(BUILT_IN_MODES['checkout-freeze']?.retryAfterSec));
    expect(res.headers['content-type']).toContain('text/html');
    expect(html).toContain('Demo Shop');
    expect(html).toContain('Temporarily unavailable');
    expect(html).not.toContain('<script');
    const event = gw.events.at(-1);
    expect(event?.labels?.['mode']).toBe('checkout-freeze');
  });

  it('answers API clients with the catalogue error code', async () => {
    await setModes([{ name: 'read-only', until: null }]);
    const res = await request(`${gw.base}/api/cart`, { method: 'POST', body: '{}' });
    const body = (await res.body.json()) as { error: { code: string } };
    expect(res.statusCode).toBe(503);
    expect(body.error.code).toBe('mode_in_force');
  });

  it('stops enforcing a mode at its end time even when no change arrives', async () => {
    await setModes([{ name: 'checkout-freeze', until: new Date(Date.now() + 300).toISOString() }]);
    const during = await request(`${gw.base}/checkout`);
    await during.body.text();
    expect(during.statusCode).toBe(503);
    await new Promise((resolve) => setTimeout(resolve, 350));
    const after = await request(`${gw.base}/checkout`);
    await after.body.text();
    expect(after.statusCode).toBe(200);
  });

  it('refuses WebSocket upgrades the modes in force refuse', async () => {
    await setModes([{ name: 'lockdown', until: null }]);
    const answer = await rawRequest(
      gw.port,
      'GET /ws HTTP/1.1\r\nHost: x\r\nX-Forwarded-For: 203.0.113.9\r\nConnection: Upgrade\r\n' +
        'Upgrade: websocket\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n',
    );
    expect(answer.startsWith('HTTP/1.1 403')).toBe(true);
    expect(answer).toContain('"code":"mode_lockdown"');
  });

  it('rate-limits the login routes per client under login-shield', async () => {
    await setModes([{ name: 'login-shield', until: null }]);
    const limit = BUILT_IN_MODES['login-shield']?.ratePerMinute ?? 0;
    const statuses: number[] = [];
    for (let i = 0; i < limit + 1; i++) {
      const res = await request(`${gw.base}/login`, { headers: { 'x-forwarded-for': '192.0.2.77' } });
      await res.body.text();
      statuses.push(res.statusCode);
    }
    expect(statuses.slice(0, limit).every((s) => s === 403)).toBe(true);
    expect(statuses.at(-1)).toBe(429);
  });
});

describe('mode enforcer', () => {
  it('keeps the last known modes when the provider fails', async () => {
    let fail = false;
    const enforcer = new ModeEnforcer(
      compileModes(),
      {
        listActive: async () => {
          if (fail) throw new Error('store down');
          return [{ name: 'read-only', until: null }];
        },
      },
      60_000,
      new ManualClock(0),
      pino({ level: 'silent' }),
    );
    await enforcer.refresh();
    fail = true;
    await enforcer.refresh();
    expect(enforcer.refreshErrors).toBe(1);
    expect(enforcer.check('203.0.113.1', 'POST', '/cart/add', Date.now())?.kind).toBe('refuse');
  });

  it('ignores modes this gateway does not define', () => {
    const enforcer = new ModeEnforcer(
      compileModes(),
      null,
      1_000,
      new ManualClock(0),
      pino({ level: 'silent' }),
    );
    enforcer.apply([{ name: 'no-such-mode', until: null }]);
    expect(enforcer.check('203.0.113.1', 'POST', '/checkout', 0)).toBeNull();
  });
});
