/** `ensuresec start --upstream URL --crs DIR --paranoia N` protects a running shop without a config file. */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { request } from 'undici';
import { afterAll, describe, expect, it } from 'vitest';
import { REPO_ROOT, spawnServer } from '../helpers/cli.js';
import { startEchoUpstream } from '../helpers/upstream.js';

describe('ensuresec start', { timeout: 60_000 }, () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'ensuresec-start-'));
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  it('runs the CRS in front of the shop and says so in its banner', async () => {
    const upstream = await startEchoUpstream();
    // Only the ports come from a file (0: the test must not depend on 8700/8780 being free).
    const configPath = join(dataDir, 'ports.yaml');
    writeFileSync(configPath, 'api:\n  port: 0\ngateway:\n  port: 0\n');
    const { child, info, output } = await spawnServer(
      [
        'start',
        '--config',
        configPath,
        '--upstream',
        upstream.url,
        '--crs',
        join(REPO_ROOT, '../shared/crs'),
        '--paranoia',
        '2',
      ],
      dataDir,
      { ENSURESEC_ADMIN_PASSWORD: 'a-long-test-password-2' },
    );
    try {
      const headers = { 'user-agent': 'Mozilla/5.0 test', host: 'localhost' };
      const benign = await request(`${info.gatewayUrl}/products?q=tea`, { headers });
      await benign.body.dump();
      expect(benign.statusCode).toBe(200);
      const attack = await request(`${info.gatewayUrl}/products?id=1%27%20OR%201%3D1--`, { headers });
      await attack.body.dump();
      expect(attack.statusCode).toBe(403);
      expect(output()).toMatch(/WAF\s+OWASP CRS from .*shared\/crs, paranoia level 2, blocking/);
    } finally {
      child.kill('SIGTERM');
      await new Promise((resolve) => child.once('exit', resolve));
      await upstream.close();
    }
  });
});
