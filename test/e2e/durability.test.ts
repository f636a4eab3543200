/** An API write that answered 2xx survives `kill -9` of the server the next instant. */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { request } from 'undici';
import { afterAll, describe, expect, it } from 'vitest';
import { openStore } from '../../src/store/index.js';
import { readCliToken } from '../../src/server/data-dir.js';
import { spawnServer } from '../helpers/cli.js';

describe('durability', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'ensuresec-kill9-'));
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  it('keeps decisions acknowledged just before SIGKILL', async () => {
    const configPath = join(dataDir, 'ensuresec.yaml');
    writeFileSync(configPath, 'api:\n  port: 0\ngateway:\n  port: 0\nlogging:\n  level: warn\n');
    const { child, info } = await spawnServer(
      ['start', '--config', configPath, '--upstream', 'http://127.0.0.1:9'],
      dataDir,
      {
        ENSURESEC_ADMIN_PASSWORD: 'a-long-test-password-1',
      },
    );
    const token = readCliToken(dataDir);
    const acknowledged: string[] = [];
    try {
      for (let i = 1; i <= 20; i++) {
        const response = await request(`${info.apiUrl}/api/v1/decisions`, {
          method: 'POST',
          headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
          body: JSON.stringify({ action: 'ban', scope: 'ip', value: `192.0.2.${i}`, duration: '1h' }),
        });
        const body = (await response.body.json()) as { id: string };
        expect(response.statusCode).toBe(201);
        acknowledged.push(body.id);
      }
      child.kill('SIGKILL');
      await new Promise((resolve) => child.once('exit', resolve));
    } finally {
      child.kill('SIGKILL');
    }
    const store = await openStore({ dialect: 'sqlite', path: join(dataDir, 'ensuresec.db') });
    try {
      for (const id of acknowledged)
        expect(await store.decisions.get(id)).toMatchObject({ id, action: 'ban' });
    } finally {
      await store.close();
    }
  });
});
