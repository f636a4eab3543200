/** `ensuresec start --follow URL --token-file F`: a second gateway process that enforces the API's decisions. */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cliEntry } from '../../../test/helpers/cli.js';
import { ApiClient } from '../../api/client.js';
import { startHarness, type Harness } from '../../api/testing/harness.js';
import { sleep, startUpstream, type Upstream } from '../testing/harness.js';

async function statusOf(url: string): Promise<number> {
  const res = await request(url);
  await res.body.dump();
  return res.statusCode;
}

async function waitForStatus(url: string, expected: number, withinMs: number): Promise<number> {
  const startedMs = Date.now();
  while (Date.now() - startedMs < withinMs) {
    if ((await statusOf(url)) === expected) return Date.now() - startedMs;
    await sleep(25);
  }
  throw new Error(`status ${expected} not seen within ${withinMs} ms`);
}

/** Spawns the real CLI and resolves with the gateway URL from its banner. */
async function startFollowerProcess(
  args: string[],
  dataDir: string,
): Promise<{ child: ChildProcess; gatewayUrl: string; output: () => string }> {
  const child = spawn(process.execPath, [...cliEntry(), ...args, '--data-dir', dataDir], {
    env: { ...process.env, ENSURESEC_TOKEN: '', ENSURESEC_URL: '' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const startedMs = Date.now();
  for (;;) {
    const banner = /Ensuresec gateway (http:\/\/\S+)/.exec(output);
    if (banner?.[1] !== undefined) return { child, gatewayUrl: banner[1], output: () => output };
    if (child.exitCode !== null) throw new Error(`gateway exited early (${child.exitCode}): ${output}`);
    if (Date.now() - startedMs > 20_000) {
      child.kill('SIGKILL');
      throw new Error(`gateway did not start in 20 s: ${output}`);
    }
    await sleep(50);
  }
}

describe('ensuresec start --follow', { timeout: 60_000 }, () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'ensuresec-follow-'));
  let api: Harness;
  let apiUrl: string;
  let upstream: Upstream;
  beforeAll(async () => {
    api = await startHarness();
    await api.app.listen({ host: '127.0.0.1', port: 0 });
    apiUrl = `http://127.0.0.1:${(api.app.server.address() as AddressInfo).port}`;
    upstream = await startUpstream();
  });
  afterAll(async () => {
    await upstream.close();
    await api.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('runs a store-less gateway that enforces a ban created through the API, and lifts it on delete', async () => {
    const tokenFile = join(dataDir, 'gateway.token');
    writeFileSync(tokenFile, `${api.tokens.gateway}\n`, { mode: 0o600 });
    const configPath = join(dataDir, 'ports.yaml');
    writeFileSync(configPath, 'gateway:\n  port: 0\n');
    const { child, gatewayUrl, output } = await startFollowerProcess(
      [
        'start',
        '--config',
        configPath,
        '--upstream',
        upstream.url,
        '--follow',
        apiUrl,
        '--token-file',
        tokenFile,
      ],
      dataDir,
    );
    try {
      expect(output()).toContain(`Decisions followed from ${apiUrl} every 1000 ms`);
      expect(await statusOf(`${gatewayUrl}/echo`)).toBe(200);
      const analyst = new ApiClient({ baseUrl: apiUrl, token: api.tokens.analyst });
      const ban = await analyst.decisions.add({
        action: 'ban',
        scope: 'ip',
        value: '127.0.0.1',
        reason: 'test',
      });
      expect(await waitForStatus(`${gatewayUrl}/echo`, 403, 2_500)).toBeLessThan(2_500);
      await analyst.decisions.delete(ban.id);
      expect(await waitForStatus(`${gatewayUrl}/echo`, 200, 2_500)).toBeLessThan(2_500);

      // Fail-safe modes follow too, pushed through the long-polled mode feed.
      expect(output()).toContain(`Modes      followed from ${apiUrl}`);
      await analyst.modes.enable('checkout-freeze', { reason: 'test' });
      expect(await waitForStatus(`${gatewayUrl}/checkout`, 503, 1_000)).toBeLessThan(1_000);
      expect(await statusOf(`${gatewayUrl}/echo`)).toBe(200);
      await analyst.modes.disable('checkout-freeze', { reason: 'test over' });
      expect(await waitForStatus(`${gatewayUrl}/checkout`, 200, 1_000)).toBeLessThan(1_000);
    } finally {
      child.kill('SIGTERM');
      await new Promise((resolve) => child.once('exit', resolve));
    }
  });
});
