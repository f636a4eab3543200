/** Starts the whole embedded runtime (store, bus, API, gateway) on ephemeral ports in a temp data directory. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { parseConfig } from '../../src/server/config/load.js';
import { readCliToken } from '../../src/server/data-dir.js';
import { startRuntime, type Runtime } from '../../src/server/runtime.js';
import { ApiClient } from '../../src/api/client.js';

export interface TestRuntime {
  runtime: Runtime;
  dataDir: string;
  client: ApiClient;
  token: string;
  close(): Promise<void>;
}

export async function startTestRuntime(upstream: string, yaml = ''): Promise<TestRuntime> {
  const dataDir = mkdtempSync(join(tmpdir(), 'ensuresec-e2e-'));
  const config = parseConfig(`api:\n  port: 0\ngateway:\n  port: 0\n  decisionRefresh: 200ms\n${yaml}`);
  const runtime = await startRuntime({ config, dataDir, logger: pino({ level: 'silent' }), upstream });
  const token = readCliToken(dataDir);
  if (!token) throw new Error('the runtime wrote no CLI token');
  return {
    runtime,
    dataDir,
    token,
    client: new ApiClient({ baseUrl: runtime.apiUrl, token }),
    async close() {
      await runtime.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
