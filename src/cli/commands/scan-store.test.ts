/**
 * The scanner's server-side slice through the real command line (child processes, loopback):
 * `ensuresec scan URL --active --store --virtual-patches FILE` against the flawed test shop
 * stores its findings on a running Ensuresec and writes patches; running it again dedupes;
 * `ensuresec sbom DIR --osv-dir … --target URL --store` adds the vulnerable components to the
 * same shop's findings; without a token, --store fails before any request is sent.
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../../test/helpers/cli.js';
import { startTestRuntime, type TestRuntime } from '../../../test/helpers/runtime.js';
import { startEchoUpstream } from '../../../test/helpers/upstream.js';
import { startFlawedServer } from '../../scan/testing/flawed-server.js';

const SBOM = join(import.meta.dirname, '../../scan/fixtures/sbom');

describe('ensuresec scan --store and ensuresec sbom --store', { timeout: 120_000 }, () => {
  let upstream: Awaited<ReturnType<typeof startEchoUpstream>>;
  let env: TestRuntime;
  let shop: { url: string; close(): Promise<void> };
  const out = mkdtempSync(join(tmpdir(), 'ensuresec-scan-store-'));
  const cli = (...args: string[]) => runCli([...args, '--data-dir', env.dataDir]);

  beforeAll(async () => {
    upstream = await startEchoUpstream();
    env = await startTestRuntime(upstream.url);
    shop = await startFlawedServer();
  });
  afterAll(async () => {
    await shop?.close();
    await env?.close();
    await upstream?.close();
  });

  it('stores scans, dedupes them, writes virtual patches and adds the SBOM findings', async () => {
    const scan = (...extra: string[]) =>
      cli(
        'scan',
        `${shop.url}/`,
        '--active',
        '--i-am-authorised',
        '--no-progress',
        '--rate',
        '0',
        '--store',
        ...extra,
      );
    const first = await scan(
      '--virtual-patches',
      join(out, 'patches.conf'),
      '--sbom',
      join(SBOM, 'shop'),
      '--osv-dir',
      join(SBOM, 'osv'),
    );
    expect(first.stderr).toBe('');
    expect(first.code).toBe(0);
    const stored = /stored as (scn_\w+): (\d+) new, 0 seen again, 0 reopened, 0 fixed/.exec(first.stdout);
    expect(stored, first.stdout).not.toBeNull();
    const created = Number(stored?.[2]);
    expect(created).toBeGreaterThan(5 + 5);
    expect(first.stdout).toMatch(/fail\s+vulnerable-components/);
    const patches = readFileSync(join(out, 'patches.conf'), 'utf8');
    expect(patches).toContain('SecRule ARGS:id "@detectSQLi"');
    expect(patches).toContain('SecRule ARGS:file "@rx');

    // Without --sbom the components are not looked at, so not marked fixed either.
    const second = await scan();
    expect(second.stdout).toContain(`0 new, ${created - 5} seen again, 0 reopened, 0 fixed`);

    // The SBOM on its own, for the same origin: the same fingerprints, seen again.
    const origin = new URL(shop.url).origin;
    const sbom = await cli(
      'sbom',
      join(SBOM, 'shop'),
      '--osv-dir',
      join(SBOM, 'osv'),
      '--target',
      origin,
      '--store',
      '--out',
      join(out, 'bom.json'),
    );
    expect(sbom.stderr).toBe('');
    expect(sbom.stdout).toMatch(/stored as scn_\w+: 0 new, 0 fixed/);
    expect(JSON.parse(readFileSync(join(out, 'bom.json'), 'utf8'))).toMatchObject({ bomFormat: 'CycloneDX' });

    const findings = await env.client.findings.list({ target: origin, limit: 200 });
    expect(findings.items).toHaveLength(created);
    const components = findings.items.filter((f) => f.checkId === 'osv-components');
    expect(components.map((f) => f.seenCount)).toEqual([2, 2, 2, 2, 2]);
    expect(findings.items.every((f) => f.status === 'open')).toBe(true);
    const sqli = findings.items.find((f) => f.checkId === 'sql-injection');
    expect(sqli).toMatchObject({ seenCount: 2, parameter: 'id' });
    const scans = await env.client.scans.list({ target: origin });
    expect(scans.items).toHaveLength(3);
  });

  it('refuses --store without a token', async () => {
    const result = await runCli(['scan', `${shop.url}/`, '--store', '--no-progress', '--data-dir', out]);
    expect(result.code).not.toBe(0);
    expect(result.stderr).toContain('unauthenticated');
  });
});
