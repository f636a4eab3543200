/**
 * A real port scan, end to end: Debian's nmap runs a TCP connect scan of ports 1-1000 on
 * 127.0.0.1 while Debian's softflowd watches loopback and exports IPFIX to the embedded
 * runtime's flow collector ─► flow events in the event sink ─► the port-scan detector ─►
 * an alert listed by the API. Needs nmap and softflowd (CI installs both; a missing one
 * fails) and root for softflowd's packet capture.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import {
  SOFTFLOWD,
  startSoftflowd,
  type RunningSoftflowd,
} from '../../src/ingest/sources/flow/testing/softflowd.js';
import { startEchoUpstream } from '../helpers/upstream.js';
import { startTestRuntime, type TestRuntime } from '../helpers/runtime.js';

const NMAP = '/usr/bin/nmap';
const run = promisify(execFile);

describe('a port scan seen through flows', { timeout: 90_000 }, () => {
  let upstream: Awaited<ReturnType<typeof startEchoUpstream>>;
  let env: TestRuntime;
  let softflowd: RunningSoftflowd | undefined;

  beforeAll(async () => {
    upstream = await startEchoUpstream();
    env = await startTestRuntime(upstream.url, `ingest:\n  flows:\n    listen: 127.0.0.1:0\n`);
  });

  afterAll(async () => {
    await softflowd?.stop();
    await env?.close();
    await upstream?.close();
  });

  it('finds nmap and softflowd installed (CI installs them)', () => {
    expect(existsSync(NMAP), `${NMAP} is missing: apt-get install nmap`).toBe(true);
    expect(existsSync(SOFTFLOWD), `${SOFTFLOWD} is missing: apt-get install softflowd`).toBe(true);
  });

  it('turns an nmap connect scan of loopback into flow events and a port-scan alert', async () => {
    const flows = env.runtime.flows;
    expect(flows, 'the runtime started its flow collector').not.toBeNull();
    softflowd = await startSoftflowd({
      version: 10,
      collector: flows!.address,
      filter: 'tcp and host 127.0.0.1 and portrange 1-1000',
    });
    await new Promise((resolve) => setTimeout(resolve, 500));
    const { stdout } = await run(NMAP, [
      '-sT',
      '-n',
      '-Pn',
      '-p',
      '1-1000',
      '-T4',
      '--max-retries',
      '0',
      '127.0.0.1',
    ]);
    expect(stdout).toContain('Nmap done: 1 IP address (1 host up)');

    await vi.waitFor(
      async () => {
        await softflowd!.flush();
        await env.runtime.events.flush();
        expect(flows!.counters.records).toBeGreaterThanOrEqual(1000);
      },
      { timeout: 30_000, interval: 1_000 },
    );
    const scanned = await env.client.events.list({ kind: 'flow', limit: 500 });
    expect(
      scanned.items.some((event) => event.flow?.dstIp === '127.0.0.1' && (event.flow.dstPort ?? 0) <= 1000),
    ).toBe(true);

    await vi.waitFor(
      async () => {
        await env.runtime.bus.drain();
        await env.runtime.detection!.flush();
        await env.runtime.bus.drain();
        const alerts = await env.client.alerts.list({ detector: 'port-scan' });
        expect(alerts.items.map((alert) => alert.ruleId)).toContain('network.port-scan.vertical');
      },
      { timeout: 30_000, interval: 1_000 },
    );
  });
});
