import { Registry } from 'prom-client';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { EnsuresecError } from '../../../core/errors.js';
import { CollectingWriter, type EventWriter } from '../event-writer.js';
import { parseFlowConfig, type FlowConfigInput } from './config.js';
import { registerFlowMetrics } from './metrics.js';
import { startFlowSource, type RunningFlowSource } from './run.js';
import { TestFlowExporter, type TestFlow } from './testing/exporter.js';
import { readHexDatagrams } from './testing/hex.js';

const running: RunningFlowSource[] = [];
const exporters: TestFlowExporter[] = [];

afterEach(async () => {
  for (const exporter of exporters.splice(0)) exporter.close();
  for (const source of running.splice(0)) await source.stop();
});

async function start(overrides: FlowConfigInput = {}, writer: EventWriter = new CollectingWriter()) {
  const source = await startFlowSource(parseFlowConfig({ listen: '127.0.0.1:0', ...overrides }), { writer });
  running.push(source);
  return source;
}

async function exporterTo(source: RunningFlowSource, localAddress: string, sourceId = 0) {
  const exporter = await TestFlowExporter.open({ ...source.address, localAddress, sourceId });
  exporters.push(exporter);
  return exporter;
}

const scanFlows = (srcIp: string, ports: number): TestFlow[] =>
  Array.from({ length: ports }, (_, i) => ({
    srcIp,
    dstIp: '10.20.0.1',
    srcPort: 45_000,
    dstPort: 1 + i,
    protocol: 6,
    tcpFlags: 0x02,
    packets: 1,
    bytes: 60,
  }));

describe('flow collector over UDP', () => {
  it('takes NetFlow v9 from several exporters at once and writes their flows', async () => {
    const writer = new CollectingWriter();
    const source = await start({}, writer);
    const first = await exporterTo(source, '127.0.0.1');
    const second = await exporterTo(source, '127.0.0.2', 9);
    await Promise.all([first.send(scanFlows('192.0.2.7', 100)), second.send(scanFlows('192.0.2.8', 45))]);
    await vi.waitFor(() => expect(source.counters.records).toBe(145), { timeout: 10_000 });
    await source.drain();
    expect(writer.events).toHaveLength(145);
    const byExporter = new Map<string, number>();
    for (const event of writer.events) {
      const exporter = event.flow?.exporter ?? '';
      byExporter.set(exporter, (byExporter.get(exporter) ?? 0) + 1);
    }
    expect(Object.fromEntries(byExporter)).toEqual({ '127.0.0.1': 100, '127.0.0.2': 45 });
    expect(
      new Set(writer.events.filter((e) => e.flow?.srcIp === '192.0.2.7').map((e) => e.flow?.dstPort)).size,
    ).toBe(100);
    expect(source.counters.exporters).toBe(2);
    expect(source.counters.lostDatagrams).toBe(0);
  });

  it('takes the real softflowd captures sent over the network', async () => {
    const writer = new CollectingWriter();
    const source = await start({}, writer);
    const exporter = await exporterTo(source, '127.0.0.3');
    const datagrams = readHexDatagrams(new URL('./fixtures/softflowd-ipfix.hex', import.meta.url));
    await exporter.sendDatagrams(datagrams);
    await vi.waitFor(() => expect(source.counters.datagrams).toBe(datagrams.length), { timeout: 10_000 });
    await source.drain();
    expect(writer.events.length).toBe(source.counters.records);
    expect(writer.events.some((e) => e.flow?.dstPort === 40010 && e.flow.exporter === '127.0.0.3')).toBe(
      true,
    );
  });

  it('drops and counts an exporter’s records when its queue is full, and keeps decoding its templates', async () => {
    const writer = new CollectingWriter(200);
    const source = await start({ maxQueuedPerExporter: 100 }, writer);
    const exporter = await exporterTo(source, '127.0.0.1');
    await exporter.send(scanFlows('192.0.2.9', 3000));
    await vi.waitFor(() => expect(source.counters.datagrams).toBe(100), { timeout: 10_000 });
    expect(source.counters.dropped.queue_full).toBeGreaterThan(0);
    expect(source.counters.records).toBe(3000);
    expect(source.counters.dropped.unknown_template).toBe(0);
  });

  it('refuses a taken port with port_in_use', async () => {
    const source = await start();
    const taken = `127.0.0.1:${source.address.port}`;
    const error = await startFlowSource(parseFlowConfig({ listen: taken }), {
      writer: new CollectingWriter(),
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(EnsuresecError);
    expect((error as EnsuresecError).code).toBe('port_in_use');
    expect((error as EnsuresecError).message).toContain('ingest.flows.listen');
  });

  it('exposes its counters as Prometheus metrics', async () => {
    const source = await start();
    const exporter = await exporterTo(source, '127.0.0.1');
    await exporter.send(scanFlows('192.0.2.10', 10));
    await exporter.sendDatagrams([Buffer.from('not a flow')]);
    await vi.waitFor(() => expect(source.counters.datagrams).toBe(2), { timeout: 10_000 });
    const registry = new Registry();
    registerFlowMetrics(registry, () => [source.counters]);
    const text = await registry.metrics();
    expect(text).toContain('ensuresec_flow_datagrams_total{source="flows"} 2');
    expect(text).toContain('ensuresec_flow_records_total{source="flows"} 10');
    expect(text).toContain(
      'ensuresec_flow_dropped_total{source="flows",reason="unsupported_version",unit="datagram"} 1',
    );
    expect(text).toContain('ensuresec_flow_templates{source="flows"} 1');
    expect(text).toContain('ensuresec_flow_sequence_lost_total{source="flows",unit="datagram"} 0');
  });

  it('refuses a listen address that is not host:port', () => {
    expect(() => parseFlowConfig({ listen: '2055' })).toThrow(/host:port/);
    expect(() => parseFlowConfig({ listen: '127.0.0.1:70000' })).toThrow(/65535/);
  });
});
