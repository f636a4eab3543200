import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DETECTOR_NAMES, createDetectors } from '../../detect/detectors/registry.js';
import { CollectingWriter } from '../../ingest/sources/event-writer.js';
import { parseFlowConfig } from '../../ingest/sources/flow/config.js';
import { startFlowSource, type RunningFlowSource } from '../../ingest/sources/flow/run.js';
import { runAttackScenario } from './scenario-runner.js';

describe('the port-scan scenario', () => {
  let shop: Server;
  let flows: RunningFlowSource;
  const writer = new CollectingWriter();
  beforeAll(async () => {
    shop = createServer((_request, response) => response.end('shop'));
    await new Promise<void>((resolve) => shop.listen(0, '127.0.0.1', resolve));
    flows = await startFlowSource(parseFlowConfig({ listen: '127.0.0.1:0' }), { writer });
  });
  afterAll(async () => {
    await flows.stop();
    await new Promise<void>((resolve) => shop.close(() => resolve()));
  });

  it('sends the router’s NetFlow v9 of a horizontal and vertical SYN scan to the flow collector', async () => {
    const stats = await runAttackScenario('port-scan', {
      baseUrl: `http://127.0.0.1:${(shop.address() as AddressInfo).port}`,
      flowCollector: flows.address,
    });
    expect(stats.status).toBe('completed');
    expect(stats.outcomes.banner_200).toBe(1);
    await flows.drain();
    const scan = writer.events.filter((event) => event.flow?.srcIp === '203.0.113.66');
    expect(scan).toHaveLength(1024 + 60 * 5);
    expect(flows.counters.lostDatagrams).toBe(0);
    expect(scan.every((event) => event.flow?.tcpFlags === 0x02 && event.flow.packets === 1)).toBe(true);
    expect(new Set(scan.filter((e) => e.flow?.dstIp === '10.0.0.10').map((e) => e.flow?.dstPort)).size).toBe(
      1024,
    );
    expect(new Set(scan.filter((e) => e.flow?.dstPort === 5432).map((e) => e.flow?.dstIp)).size).toBe(60);
  });

  it('makes the port-scan detector raise vertical and horizontal scans from those flows', () => {
    expect(DETECTOR_NAMES).toContain('port-scan');
    const [detector] = createDetectors(
      Object.fromEntries(DETECTOR_NAMES.map((name) => [name, { enabled: name === 'port-scan' }])),
    );
    const rules = writer.events.flatMap((event) => detector!.observe(event).map((d) => d.ruleId));
    expect(rules).toContain('network.port-scan.vertical');
    expect(rules).toContain('network.port-scan.horizontal');
  });
});
