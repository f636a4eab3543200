/** The `ensuresec` command line against a running embedded server, as a user would type it. */
import { join } from 'node:path';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { startTestRuntime, type TestRuntime } from '../helpers/runtime.js';
import { startEchoUpstream } from '../helpers/upstream.js';

const fixtures = join(import.meta.dirname, 'fixtures');

describe('ensuresec CLI', { timeout: 60_000 }, () => {
  let upstream: Awaited<ReturnType<typeof startEchoUpstream>>;
  let env: TestRuntime;
  const cli = (...args: string[]) => runCli([...args, '--data-dir', env.dataDir]);
  const json = async <T>(...args: string[]): Promise<T> => {
    const result = await cli(...args, '--json');
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    return JSON.parse(result.stdout) as T;
  };

  beforeAll(async () => {
    upstream = await startEchoUpstream();
    env = await startTestRuntime(upstream.url);
  });
  afterAll(async () => {
    await env?.close();
    await upstream?.close();
  });

  it('shows help for every noun and verb', async () => {
    const top = await runCli(['--help']);
    expect(top.code).toBe(0);
    for (const noun of ['start', 'demo', 'status', 'config', 'user', 'token', 'decisions'])
      expect(top.stdout).toContain(noun);
    const verbs = await runCli(['decisions', 'add', '--help']);
    expect(verbs.stdout).toContain('--duration');
    expect(verbs.stdout).toContain('--json');
  });

  it('prints the server status, as a table and as JSON', async () => {
    const table = await cli('status');
    expect(table.code).toBe(0);
    expect(table.stdout).toMatch(/version:\s+\d+\.\d+\.\d+/);
    const status = await json<{ store: string; users: number }>('status');
    expect(status.store).toContain('sqlite');
    expect(status.users).toBeGreaterThanOrEqual(1);
  });

  it('adds and lists users, showing a generated password once', async () => {
    const created = await json<{ name: string; role: string; password: string }>(
      'user',
      'add',
      'carol',
      '--role',
      'analyst',
    );
    expect(created).toMatchObject({ name: 'carol', role: 'analyst' });
    expect(created.password.length).toBeGreaterThanOrEqual(16);
    const users = await json<{ name: string; role: string }[]>('user', 'list');
    expect(users).toEqual(
      expect.arrayContaining([expect.objectContaining({ name: 'carol', role: 'analyst' })]),
    );
    const again = await cli('user', 'add', 'carol');
    expect(again.code).toBe(1);
    expect(again.stderr).toContain('error[conflict]');
  });

  it('creates a token that works, lists it without its value, and revokes it', async () => {
    const created = await json<{ id: string; token: string }>('token', 'create', 'ci-bot');
    expect(created.token).toMatch(/^ens_/);
    const tokens = await json<{ id: string; name: string }[]>('token', 'list');
    expect(tokens.find((token) => token.id === created.id)).toMatchObject({ name: 'ci-bot' });
    expect(JSON.stringify(tokens)).not.toContain(created.token);
    const withToken = await runCli(['status', '--url', env.runtime.apiUrl], {
      env: { ENSURESEC_TOKEN: created.token },
    });
    expect(withToken.code).toBe(0);
    expect((await json<{ revoked: boolean }>('token', 'revoke', created.id)).revoked).toBe(true);
    const revoked = await runCli(['status', '--url', env.runtime.apiUrl], {
      env: { ENSURESEC_TOKEN: created.token },
    });
    expect(revoked.code).toBe(1);
    expect(revoked.stderr).toContain('error[token_invalid]');
  });

  it('adds a ban the gateway enforces, lists it, and deletes it', async () => {
    const decision = await json<{ id: string; origin: string; expiresAt: string }>(
      'decisions',
      'add',
      '--cidr',
      '127.0.0.0/8',
      '--duration',
      '10m',
      '--reason',
      'cli test',
    );
    expect(decision.origin).toBe('cli');
    expect(Date.parse(decision.expiresAt) - Date.now()).toBeGreaterThan(9 * 60_000);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect((await request(`${env.runtime.gatewayUrl}/`)).statusCode).toBe(403);
    const active = await json<{ id: string }[]>('decisions', 'list', '--active');
    expect(active.map((item) => item.id)).toContain(decision.id);
    expect((await json<{ deleted: boolean }>('decisions', 'delete', decision.id)).deleted).toBe(true);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect((await request(`${env.runtime.gatewayUrl}/`)).statusCode).toBe(200);
  });

  it('refuses a decision without a subject, or with a malformed one, with a code', async () => {
    const none = await cli('decisions', 'add', '--action', 'ban');
    expect(none.code).toBe(1);
    expect(none.stderr).toContain('error[validation_failed]');
    const bad = await cli('decisions', 'add', '--ip', 'not-an-ip');
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('error[validation_failed]');
  });

  it('checks a configuration file, naming the key and line of a mistake', async () => {
    const good = await runCli(['config', 'check', '--config', join(fixtures, 'good.yaml'), '--json']);
    expect(good.code).toBe(0);
    expect(JSON.parse(good.stdout)).toMatchObject({
      valid: true,
      gateway: expect.stringContaining('127.0.0.1:3000'),
    });
    const bad = await runCli(['config', 'check', '--config', join(fixtures, 'bad.yaml')]);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('bad.yaml:6: gateway.limits.maxBodyByte: unknown key');
  });

  it('says clearly when no server answers', async () => {
    const result = await runCli(['status', '--url', 'http://127.0.0.1:9', '--data-dir', env.dataDir]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('error[server_unreachable]');
  });
});
