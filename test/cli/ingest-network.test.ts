/**
 * `ensuresec ingest` of a network sensor's log (a Zeek conn.log of an nmap SYN scan) through the
 * whole pipeline; the EVE and Zeek parsers and their file ingest are tested next to them.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Alert } from '../../src/core/records/index.js';
import { REPO_ROOT, runCli } from '../helpers/cli.js';

const ZEEK = join(REPO_ROOT, 'src/ingest/sources/zeek/fixtures');

const jsonLines = (text: string): Alert[] =>
  text
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => JSON.parse(line) as Alert);

describe('ensuresec ingest of network sensor logs', { timeout: 90_000 }, () => {
  it.each(['zeek-conn', 'auto'])('finds the port scan in a Zeek conn.log (--format %s)', async (format) => {
    const result = await runCli([
      'ingest',
      join(ZEEK, 'port-scan-conn.log'),
      '--format',
      format,
      '--no-anomaly',
      '--json',
    ]);
    expect(result.code, result.stderr).toBe(0);
    const alerts = jsonLines(result.stdout);
    const scans = alerts.filter((alert) => alert.detector === 'port-scan');
    expect(scans).toHaveLength(1);
    expect(scans[0]).toMatchObject({
      ruleId: 'network.port-scan.vertical',
      entity: { type: 'ip', value: '203.0.113.66' },
    });
    // The ordinary HTTPS clients in the same log raise nothing.
    expect(alerts.filter((alert) => alert.entity?.value?.startsWith('192.0.2.'))).toEqual([]);
    expect(result.stderr).toMatch(/^\d+ lines read, 50 events, 0 malformed/m);
  });
});
