import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EnsuresecError } from '../core/errors.js';
import { ApiClient } from './client.js';
import { startHarness, type Harness } from './testing/harness.js';
import { ROLES } from '../core/roles.js';

let h: Harness;
let baseUrl: string;

beforeAll(async () => {
  h = await startHarness();
  await h.app.listen({ host: '127.0.0.1', port: 0 });
  baseUrl = `http://127.0.0.1:${(h.app.server.address() as AddressInfo).port}`;
});
afterAll(async () => h.close());

/** A port that was free a moment ago and has nobody listening now. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

async function codeOf(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof EnsuresecError) return error.code;
    throw error;
  }
  return 'no error';
}

describe('ApiClient', () => {
  it('manages decisions over real HTTP', async () => {
    const api = new ApiClient({ baseUrl, token: h.tokens.analyst });
    const decision = await api.decisions.add({
      action: 'ban',
      scope: 'ip',
      value: '203.0.113.9',
      duration: '1h',
      origin: 'cli',
    });
    expect(decision).toMatchObject({ origin: 'cli', value: '203.0.113.9' });
    expect(await api.decisions.get(decision.id)).toEqual(decision);
    expect((await api.decisions.list({ active: true, scope: 'ip' })).items).toEqual([decision]);
    expect(await api.decisions.listActive()).toEqual([decision]);
    await api.decisions.delete(decision.id);
    expect(await codeOf(api.decisions.get(decision.id))).toBe('not_found');
  });

  it('reads status and events, and manages users and tokens as admin', async () => {
    const api = new ApiClient({ baseUrl: `${baseUrl}/`, token: h.tokens.admin });
    expect(await api.status()).toMatchObject({ version: '0.0.0-test', counts: { users: ROLES.length } });
    expect(await api.events.list({ kind: 'http', limit: 5 })).toEqual({ items: [], nextCursor: null });
    const added = await api.users.add({ name: 'dave', role: 'viewer' });
    expect(added.password).toHaveLength(20);
    expect((await api.users.list({ limit: 10 })).items.map((u) => u.name)).toContain('dave');
    const created = await api.tokens.create({ name: 'ci', userId: added.user.id });
    const asDave = new ApiClient({ baseUrl, token: created.token });
    expect((await asDave.tokens.list()).items.map((t) => t.id)).toEqual([created.record.id]);
    await api.tokens.revoke(created.record.id);
    expect(await codeOf(asDave.tokens.list())).toBe('token_invalid');
  });

  it("turns the server's error body into an EnsuresecError with its code and details", async () => {
    const api = new ApiClient({ baseUrl, token: h.tokens.viewer });
    expect(await codeOf(api.users.list())).toBe('forbidden');
    const analyst = new ApiClient({ baseUrl, token: h.tokens.analyst });
    try {
      await analyst.decisions.add({ action: 'ban', scope: 'ip', value: 'nope' });
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(EnsuresecError);
      expect((error as EnsuresecError).code).toBe('validation_failed');
      expect((error as EnsuresecError).details).toEqual([expect.objectContaining({ path: 'value' })]);
    }
  });

  it('reports server_unreachable when nobody listens', async () => {
    const api = new ApiClient({
      baseUrl: `http://127.0.0.1:${await closedPort()}`,
      token: h.tokens.admin,
      timeoutMs: 2000,
    });
    expect(await codeOf(api.status())).toBe('server_unreachable');
  });
});
