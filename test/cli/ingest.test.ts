/** `ensuresec ingest` (a log file through the detection pipeline, no server) and `ensuresec alerts list`. */
import { join } from 'node:path';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Alert } from '../../src/core/records/index.js';
import { REPO_ROOT, runCli } from '../helpers/cli.js';
import { startTestRuntime, type TestRuntime } from '../helpers/runtime.js';
import { startEchoUpstream } from '../helpers/upstream.js';

const LOGS = join(REPO_ROOT, 'src/detect/pipeline/fixtures');
/** Tests only: the SigmaHQ web rules live outside the repository. */
const SIGMA_WEB_RULES = join(REPO_ROOT, '../shared/reference/sigma-web-rules');

const jsonLines = (text: string): Alert[] =>
  text
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => JSON.parse(line) as Alert);

describe('ensuresec ingest', { timeout: 60_000 }, () => {
  it('prints the alerts of an attack log as JSON lines, with a summary on stderr', async () => {
    const result = await runCli([
      'ingest',
      join(LOGS, 'attack-nginx.log'),
      '--format',
      'nginx',
      '--sigma',
      SIGMA_WEB_RULES,
      '--json',
    ]);
    expect(result.code).toBe(0);
    const alerts = jsonLines(result.stdout);
    expect(alerts.length).toBeGreaterThanOrEqual(5);
    expect(alerts.map((alert) => alert.ruleId)).toContain('ecommerce.scraping.not-found');
    const sqli = alerts.find((alert) => alert.title === 'SQL Injection Strings In URI');
    expect(sqli).toMatchObject({
      detector: 'sigma',
      severity: 'high',
      entity: { type: 'ip', value: '45.155.205.233' },
    });
    expect(result.stderr).toMatch(
      /^206 lines read, 206 events, 0 malformed, \d+ alerts from \d+ detections; 145 Sigma rules/m,
    );
  });

  it('finds the scanner with the built-in detectors alone, as a table', async () => {
    const result = await runCli(['ingest', join(LOGS, 'attack-nginx.log'), '--format', 'nginx']);
    expect(result.code).toBe(0);
    expect(result.stdout.split('\n')[0]).toMatch(
      /^FIRSTSEEN\s+SEVERITY\s+COUNT\s+ENTITY\s+DETECTOR\s+TITLE$/,
    );
    expect(result.stdout).toMatch(/ip:185\.220\.101\.4\s+scraping\s+Path probing/);
  });

  it('prints no alert for a benign log', async () => {
    const result = await runCli([
      'ingest',
      join(LOGS, 'benign-nginx.log'),
      '--format',
      'nginx',
      '--sigma',
      SIGMA_WEB_RULES,
      '--json',
    ]);
    expect(result.code).toBe(0);
    expect(result.stdout).toBe('');
    expect(result.stderr).toContain('400 lines read, 400 events, 0 malformed, 0 alerts');
  });

  it('counts malformed lines by reason and goes on', async () => {
    const result = await runCli(['ingest', join(LOGS, 'mixed-nginx.log'), '--format', 'nginx']);
    expect(result.code).toBe(0);
    expect(result.stdout).toBe('(none)\n');
    expect(result.stderr).toContain('12 lines read, 10 events, 2 malformed (');
  });

  it('reports a rule path that does not load and still runs', async () => {
    const result = await runCli([
      'ingest',
      join(LOGS, 'benign-nginx.log'),
      '--format',
      'nginx',
      '--sigma',
      join(LOGS, 'no-such-rules'),
    ]);
    expect(result.code).toBe(0);
    expect(result.stderr).toMatch(/^warning\[sigma_rule_invalid\]: .*no-such-rules: cannot read: ENOENT$/m);
  });

  it('answers ingest_file_unreadable for a missing file and an unknown format', async () => {
    const missing = await runCli(['ingest', join(LOGS, 'missing.log'), '--format', 'nginx']);
    expect(missing.code).not.toBe(0);
    expect(missing.stderr).toContain('error[ingest_file_unreadable]');
    const format = await runCli(['ingest', join(LOGS, 'benign-nginx.log'), '--format', 'iis']);
    expect(format.code).not.toBe(0);
    expect(format.stderr).toContain(
      'Allowed choices are nginx, apache, jsonl, syslog, suricata-eve, zeek-conn, zeek-http, auto',
    );
  });
});

describe('ensuresec alerts list', { timeout: 60_000 }, () => {
  let upstream: Awaited<ReturnType<typeof startEchoUpstream>>;
  let env: TestRuntime;

  beforeAll(async () => {
    upstream = await startEchoUpstream();
    env = await startTestRuntime(upstream.url, `detection:\n  sigma:\n    rules: ['${SIGMA_WEB_RULES}']\n`);
  });
  afterAll(async () => {
    await env?.close();
    await upstream?.close();
  });

  it('lists the alerts the running server raised, filtered by detector', async () => {
    for (let i = 0; i < 3; i++) {
      const response = await request(`${env.runtime.gatewayUrl}/?q=${i}`, {
        headers: { 'user-agent': 'sqlmap/1.7.2#stable (https://sqlmap.org)' },
      });
      await response.body.dump();
    }
    await env.runtime.events.flush();
    await env.runtime.bus.drain();
    await env.runtime.detection!.flush();

    const cli = (...args: string[]) => runCli([...args, '--data-dir', env.dataDir]);
    const listed = await cli('alerts', 'list', '--detector', 'sigma', '--json');
    expect(listed.stderr).toBe('');
    const alerts = JSON.parse(listed.stdout) as Array<{ title: string; count: number; entity: string }>;
    expect(alerts.find((alert) => alert.title === 'Hack Tool User Agent')).toMatchObject({
      count: 3,
      entity: 'ip:127.0.0.1',
    });
    const table = await cli('alerts', 'list', '--severity', 'high');
    expect(table.code).toBe(0);
    expect(table.stdout).toMatch(/Hack Tool User Agent/);
    const none = await cli('alerts', 'list', '--detector', 'card-testing');
    expect(none.stdout).toBe('(none)\n');
  });
});
