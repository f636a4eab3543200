import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../../../test/helpers/cli.js';
import { startTestRuntime, type TestRuntime } from '../../../../test/helpers/runtime.js';
import { startEchoUpstream } from '../../../../test/helpers/upstream.js';

/** A shop whose checkout lives under /kasse: the built-in group is replaced, a mode is added. */
const YAML = `modes:
  brand: Kaffee & Co
  groups:
    checkout:
      paths: ['/kasse/**']
  definitions:
    gift-card-freeze:
      effect: unavailable
      routes: [{ paths: ['/gift-cards/**'], methods: [POST] }]
      retryAfterSec: 120
`;

async function waitForStatus(
  url: string,
  expected: number,
  init: Parameters<typeof request>[1] = {},
): Promise<void> {
  const startedMs = Date.now();
  for (;;) {
    const res = await request(url, init);
    await res.body.text();
    if (res.statusCode === expected) return;
    if (Date.now() - startedMs > 1_000)
      throw new Error(`${url}: ${res.statusCode}, not ${expected}, after 1 s`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe('ensuresec mode', { timeout: 60_000 }, () => {
  let upstream: Awaited<ReturnType<typeof startEchoUpstream>>;
  let env: TestRuntime;
  const cli = (...args: string[]) => runCli([...args, '--data-dir', env.dataDir]);

  beforeAll(async () => {
    upstream = await startEchoUpstream();
    env = await startTestRuntime(upstream.url, YAML);
  });
  afterAll(async () => {
    await env?.close();
    await upstream?.close();
  });

  it('switches a configured checkout freeze on and off, enforced by the running gateway', async () => {
    const gateway = env.runtime.gatewayUrl as string;
    await waitForStatus(`${gateway}/kasse/pay`, 200);
    const on = await cli(
      'mode',
      'enable',
      'checkout-freeze',
      '--ttl',
      '30m',
      '--reason',
      'card testing',
      '--json',
    );
    expect(on.stderr).toBe('');
    expect((JSON.parse(on.stdout) as { reason: string }).reason).toBe('card testing');
    await waitForStatus(`${gateway}/kasse/pay`, 503);
    await waitForStatus(`${gateway}/products`, 200);

    const page = await request(`${gateway}/kasse`, { headers: { accept: 'text/html' } });
    expect(await page.body.text()).toContain('Kaffee &#38; Co');

    const listed = await cli('mode', 'list', '--json');
    const rows = JSON.parse(listed.stdout) as Array<{ name: string; active: boolean; enabledBy: string }>;
    expect(rows.find((row) => row.name === 'checkout-freeze')).toMatchObject({ active: true });
    expect(rows.map((row) => row.name)).toContain('gift-card-freeze');

    const off = await cli('mode', 'disable', 'checkout-freeze', '--reason', 'wave over', '--json');
    expect(off.code).toBe(0);
    await waitForStatus(`${gateway}/kasse/pay`, 200);
  });

  it('enforces a mode defined only in ensuresec.yaml', async () => {
    const gateway = env.runtime.gatewayUrl as string;
    const on = await cli('mode', 'enable', 'gift-card-freeze', '--reason', 'fraud');
    expect(on.code).toBe(0);
    await waitForStatus(`${gateway}/gift-cards/redeem`, 503, { method: 'POST', body: 'code=1' });
    await waitForStatus(`${gateway}/gift-cards/redeem`, 200);
    expect((await cli('mode', 'disable', 'gift-card-freeze', '--reason', 'done')).code).toBe(0);
  });

  it('refuses an unknown mode, a missing reason and a bad ttl with codes', async () => {
    const unknown = await cli('mode', 'enable', 'no-such-mode', '--reason', 'x');
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain('error[mode_unknown]');
    const noReason = await cli('mode', 'enable', 'read-only');
    expect(noReason.code).not.toBe(0);
    expect(noReason.stderr).toContain('--reason');
    const badTtl = await cli('mode', 'enable', 'read-only', '--ttl', 'soon', '--reason', 'x');
    expect(badTtl.code).toBe(1);
    expect(badTtl.stderr).toContain('error[validation_failed]');
  });
});
