/**
 * port-scan: an attacker (203.0.113.66, a documentation address) sweeps the shop's network,
 * seen by its router: a vertical scan of ports 1-1024 on one server and a horizontal scan of
 * the database, cache and admin ports across 60 hosts, every probe a SYN-only flow of one
 * packet. The router's view is sent as NetFlow v9 to the demo's flow collector on loopback;
 * no packet is sent to any scanned address. Then, as a scanner does once it found a web
 * port, one banner-grabbing request goes to the shop through the gateway. Without a flow
 * collector the scenario notes `no_flow_collector` and only grabs the banner.
 */
import { isLoopbackHost } from '../../loopback.js';
import { ATTACK_USER_AGENTS } from '../user-agents.js';
import { TestFlowExporter, type TestFlow } from '../../../ingest/sources/flow/testing/exporter.js';
import type { AttackScenario, ScenarioContext } from './types.js';

const ATTACKER = '203.0.113.66';
const VERTICAL_TARGET = '10.0.0.10';
const VERTICAL_PORTS = 1024;
const HORIZONTAL_HOSTS = 60;
const HORIZONTAL_PORTS = [22, 3306, 5432, 6379, 8080];
const SYN = 0x02;
/** Datagrams of 30 flows sent per pause: a fast scan, spread over a few seconds. */
const DATAGRAMS_PER_STEP = 4;
const STEP_MS = 100;

function probes(): TestFlow[] {
  const flows: TestFlow[] = [];
  const probe = (dstIp: string, dstPort: number): TestFlow => ({
    srcIp: ATTACKER,
    dstIp,
    srcPort: 40_000 + (flows.length % 20_000),
    dstPort,
    protocol: 6,
    tcpFlags: SYN,
    packets: 1,
    bytes: 44,
  });
  for (let port = 1; port <= VERTICAL_PORTS; port++) flows.push(probe(VERTICAL_TARGET, port));
  for (let host = 1; host <= HORIZONTAL_HOSTS; host++)
    for (const port of HORIZONTAL_PORTS) flows.push(probe(`10.0.1.${host}`, port));
  return flows;
}

export const portScan: AttackScenario = {
  name: 'port-scan',
  description: `NetFlow v9 of a SYN scan from ${ATTACKER}: ports 1-${VERTICAL_PORTS} of ${VERTICAL_TARGET} and ${HORIZONTAL_PORTS.length} ports across ${HORIZONTAL_HOSTS} hosts.`,
  maxRequests: 1,
  maxDurationMs: 60_000,
  ratePerSecond: 1,
  async run(ctx) {
    const collector = ctx.flowCollector;
    if (collector && isLoopbackHost(collector.host)) await sendScanFlows(ctx, collector);
    else ctx.note('no_flow_collector');
    const banner = await ctx.client(ATTACK_USER_AGENTS.scanner).get('/');
    ctx.note(`banner_${banner.status}`);
  },
};

async function sendScanFlows(ctx: ScenarioContext, collector: { host: string; port: number }): Promise<void> {
  const exporter = await TestFlowExporter.open({ host: collector.host, port: collector.port });
  try {
    const datagrams = exporter.encode(probes());
    for (let i = 0; i < datagrams.length && !ctx.signal.aborted; i += DATAGRAMS_PER_STEP) {
      const step = datagrams.slice(i, i + DATAGRAMS_PER_STEP);
      await exporter.sendDatagrams(step);
      for (let n = 0; n < step.length; n++) ctx.note('flow_datagram_sent');
      await new Promise((resolve) => setTimeout(resolve, STEP_MS));
    }
  } finally {
    exporter.close();
  }
}
