/** The gateway with the OWASP CRS (from ../shared/crs, as users bring their own) in front of a shop. */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EnsuresecError } from '../../src/core/errors.js';
import { parseConfig } from '../../src/server/config/load.js';
import { wafRuleFiles, wafSettingsText } from '../../src/server/waf.js';
import { REPO_ROOT } from '../helpers/cli.js';
import { startTestRuntime, type TestRuntime } from '../helpers/runtime.js';
import { startEchoUpstream } from '../helpers/upstream.js';

const CRS = join(REPO_ROOT, '../shared/crs');
const SQLI = "/products?id=1'%20OR%201=1--";

async function get(base: string | null, path: string): Promise<number> {
  const response = await request(`${base}${path}`, {
    headers: { host: 'localhost', 'user-agent': 'Mozilla/5.0 test' },
  });
  await response.body.dump();
  return response.statusCode;
}

async function post(base: string | null, path: string, contentType: string, body: string): Promise<number> {
  const response = await request(`${base}${path}`, {
    method: 'POST',
    headers: { host: 'localhost', 'user-agent': 'Mozilla/5.0 test', 'content-type': contentType },
    body,
  });
  await response.body.dump();
  return response.statusCode;
}

describe('gateway with the OWASP CRS', { timeout: 60_000 }, () => {
  let upstream: Awaited<ReturnType<typeof startEchoUpstream>>;
  let blocking: TestRuntime;
  let detecting: TestRuntime;

  beforeAll(async () => {
    upstream = await startEchoUpstream();
    blocking = await startTestRuntime(
      upstream.url,
      `waf:\n  crs: ${CRS}\n  exclusions:\n    - { pathPrefix: /admin/products, removeRules: [949110] }\n`,
    );
    detecting = await startTestRuntime(upstream.url, `waf:\n  crs: ${CRS}\n  mode: DetectionOnly\n`);
  });

  afterAll(async () => {
    await blocking?.close();
    await detecting?.close();
    await upstream?.close();
  });

  it('lets a benign request through', async () => {
    expect(await get(blocking.runtime.gatewayUrl, '/products?q=green%20tea')).toBe(200);
  });

  it('blocks SQL injection and cross-site scripting with 403', async () => {
    expect(await get(blocking.runtime.gatewayUrl, SQLI)).toBe(403);
    expect(await get(blocking.runtime.gatewayUrl, '/search?q=%3Cscript%3Ealert(1)%3C/script%3E')).toBe(403);
  });

  it('records the blocked exchange as an event', async () => {
    expect(await get(blocking.runtime.gatewayUrl, SQLI)).toBe(403);
    await blocking.runtime.events.flush();
    const events = await blocking.client.events.list({ kind: 'http' });
    const blocked = events.items.find(
      (event) => event.http?.outcome === 'blocked' && event.http.status === 403,
    );
    expect(blocked?.http?.inspection?.ruleIds).toContain('942100');
    expect(blocked?.http?.inspection?.blockedBy).toBe('949110');
  });

  it('honours a per-route exclusion', async () => {
    // Without the blocking evaluation (949110) on /admin/products, the attack is only scored there.
    expect(await get(blocking.runtime.gatewayUrl, '/admin/products?id=1%27%20OR%201%3D1--')).toBe(200);
    expect(await get(blocking.runtime.gatewayUrl, '/products?id=1%27%20OR%201%3D1--')).toBe(403);
    const settings = wafSettingsText(
      parseConfig(`waf:\n  crs: ${CRS}\n  exclusions:\n    - { pathPrefix: /admin, removeRules: [942100] }\n`)
        .waf,
    );
    expect(settings).toContain(
      'SecRule REQUEST_FILENAME "@beginsWith /admin" "id:10000,phase:1,pass,nolog,ctl:ruleRemoveById=942100"',
    );
  });

  it('only detects in DetectionOnly mode', async () => {
    expect(await get(detecting.runtime.gatewayUrl, SQLI)).toBe(200);
  });

  it('logs what a request matched when the shop never answers it (phase 5 runs anyway)', async () => {
    for (const workers of [0, 2]) {
      // Port 9 (discard) is closed here: every exchange ends with the gateway's own 502.
      const unreachable = await startTestRuntime(
        'http://127.0.0.1:9',
        `waf:\n  crs: ${CRS}\n  mode: DetectionOnly\n  workers: ${workers}\n`,
      );
      try {
        expect(await get(unreachable.runtime.gatewayUrl, SQLI)).toBe(502);
        // The event waits for the WAF's logging phase (a message to a worker thread and back).
        let ruleIds: string[] | undefined;
        for (let tries = 0; tries < 40 && ruleIds === undefined; tries++) {
          await unreachable.runtime.events.flush();
          const events = await unreachable.client.events.list({ kind: 'http' });
          ruleIds = events.items.find((event) => event.http?.status === 502)?.http?.inspection?.ruleIds;
          if (ruleIds === undefined) await new Promise((resolve) => setTimeout(resolve, 50));
        }
        expect(ruleIds, `waf.workers: ${workers}`).toContain('942100');
      } finally {
        await unreachable.close();
      }
    }
  });

  it("decodes %uHHHH through the US-ASCII best-fit map, as ModSecurity's recommended setup does", async () => {
    // admin’-- : t:utf8toUnicode gives %u2019, t:urlDecodeUni with the map gives ' (942100).
    expect(await get(blocking.runtime.gatewayUrl, '/search?q=admin%E2%80%99--')).toBe(403);
    expect(await get(blocking.runtime.gatewayUrl, '/search?q=men%E2%80%99s%20shirts')).toBe(200);
    expect(readFileSync(join(blocking.dataDir, 'waf', 'unicode.mapping'), 'latin1')).toMatch(/^20127 /);
  });

  it("denies a body its parser rejects with 400 (ModSecurity's recommended rule 200002)", async () => {
    expect(
      await post(blocking.runtime.gatewayUrl, '/api/cart', 'application/json', '{"sku": "A-1", "qty": '),
    ).toBe(400);
    expect(
      await post(blocking.runtime.gatewayUrl, '/api/cart', 'application/json', '{"sku": "A-1", "qty": 2}'),
    ).toBe(200);
  });
});

describe('gateway with the CRS, without the base rules and the unicode map', { timeout: 60_000 }, () => {
  it('judges as the CRS alone does when waf.baseRules and waf.unicodeMap are off', async () => {
    const upstream = await startEchoUpstream();
    const env = await startTestRuntime(
      upstream.url,
      `waf:\n  crs: ${CRS}\n  baseRules: false\n  unicodeMap: false\n`,
    );
    try {
      expect(await get(env.runtime.gatewayUrl, '/search?q=admin%E2%80%99--')).toBe(200);
      expect(
        await post(env.runtime.gatewayUrl, '/api/cart', 'application/json', '{"sku": "A-1", "qty": '),
      ).toBe(200);
      expect(await get(env.runtime.gatewayUrl, SQLI)).toBe(403);
    } finally {
      await env.close();
      await upstream.close();
    }
  });
});

describe('WAF configuration', () => {
  it('writes paranoia level and thresholds as CRS settings', () => {
    const waf = parseConfig('waf:\n  crs: /opt/crs\n  paranoia: 3\n  inboundThreshold: 10\n').waf;
    const text = wafSettingsText(waf);
    expect(text).toContain('SecRuleEngine On');
    expect(text).toContain('setvar:tx.blocking_paranoia_level=3');
    expect(text).toContain('setvar:tx.inbound_anomaly_score_threshold=10');
    expect(text).toContain('SecUnicodeMapFile unicode.mapping 20127');
    const off = parseConfig('waf:\n  crs: /opt/crs\n  unicodeMap: false\n').waf;
    expect(wafSettingsText(off)).not.toContain('SecUnicodeMapFile');
  });

  it('refuses a CRS folder without rules, naming the key', () => {
    const waf = parseConfig('waf:\n  crs: /nonexistent/crs\n').waf;
    expect(() => wafRuleFiles({ ...waf, crs: '/nonexistent/crs' }, '/tmp/x.conf')).toThrow(EnsuresecError);
    expect(() => wafRuleFiles({ ...waf, crs: '/nonexistent/crs' }, '/tmp/x.conf')).toThrow(/waf\.crs/);
  });

  it('runs without a WAF when no CRS is configured', async () => {
    const upstream = await startEchoUpstream();
    const plain = await startTestRuntime(upstream.url);
    try {
      expect(await get(plain.runtime.gatewayUrl, SQLI)).toBe(200);
    } finally {
      await plain.close();
      await upstream.close();
    }
  });
});

describe('WAF rule reload', { timeout: 60_000 }, () => {
  it('swaps in a good rule set, keeps the last good one when a file is bad, and writes the audit log', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ensuresec-rules-'));
    const ruleFile = join(dir, 'local.conf');
    const probeRule = (value: string) =>
      `SecRule ARGS:probe "@streq ${value}" "id:100001,phase:1,deny,status:403,log,auditlog,msg:'probe ${value}'"\n`;
    writeFileSync(ruleFile, probeRule('one'));
    const upstream = await startEchoUpstream();
    const env = await startTestRuntime(upstream.url, `waf:\n  crs: ${CRS}\n  rules: [${ruleFile}]\n`);
    try {
      const gateway = env.runtime.gatewayUrl;
      expect(await get(gateway, '/?probe=one')).toBe(403);
      writeFileSync(ruleFile, 'SecRule ARGS:probe "@nosuchoperator x" "id:100001,phase:1,deny"\n');
      const failed = await env.runtime.reloadWaf();
      expect(failed.ok).toBe(false);
      expect(failed.ok ? '' : failed.error).toContain('local.conf:1');
      expect(await get(gateway, '/?probe=one')).toBe(403);
      writeFileSync(ruleFile, probeRule('two'));
      expect(await env.runtime.reloadWaf()).toMatchObject({ ok: true });
      expect(await get(gateway, '/?probe=one')).toBe(200);
      expect(await get(gateway, '/?probe=two')).toBe(403);
      const auditLog = readFileSync(join(env.dataDir, 'waf', 'audit.log'), 'utf8')
        .trim()
        .split('\n');
      expect(auditLog.some((line) => line.includes('100001'))).toBe(true);
      expect(() => auditLog.map((line) => JSON.parse(line) as unknown)).not.toThrow();
    } finally {
      await env.close();
      await upstream.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
