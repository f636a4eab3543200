/**
 * A small NetFlow v9 exporter for tests, the benchmark and the demo's port-scan scenario
 * (ingest, flow source, testing): it packs flows into datagrams of up to 30 records, sends
 * the template first and then every `templateEvery` datagrams, numbers the datagrams as
 * RFC 3954 says, and sends them over UDP to a collector on loopback.
 *
 * @example
 * const exporter = await TestFlowExporter.open({ host: '127.0.0.1', port: 2055 });
 * await exporter.send([{ srcIp: '10.0.0.9', dstIp: '10.0.0.1', srcPort: 40000, dstPort: 22, protocol: 6, tcpFlags: 2, packets: 1, bytes: 60 }]);
 * exporter.close();
 */
import { createSocket, type Socket } from 'node:dgram';
import { encodeV9, V9_FLOW_FIELDS, type SetSpec } from './encoder.js';

export interface TestFlow {
  srcIp: string;
  dstIp: string;
  srcPort: number;
  dstPort: number;
  /** IP protocol number (6 TCP, 17 UDP, 1 ICMP). */
  protocol: number;
  tcpFlags?: number;
  packets: number;
  bytes: number;
  /** Unix ms; default: the send time. */
  startMs?: number;
  endMs?: number;
}

export interface TestFlowExporterOptions {
  host: string;
  port: number;
  sourceId?: number;
  templateId?: number;
  /** Resend the template every this many datagrams; default 20. */
  templateEvery?: number;
  /** Records per datagram, 1..30; default 30. */
  recordsPerDatagram?: number;
  /** The UDP source address (the exporter's address as the collector sees it). */
  localAddress?: string;
}

export class TestFlowExporter {
  private sequence = 0;
  private sent = 0;
  /** The exporter "booted" an hour before it was made; sysUptime counts from there. */
  private readonly bootMs = Date.now() - 3_600_000;

  private constructor(
    private readonly socket: Socket,
    private readonly options: TestFlowExporterOptions,
  ) {}

  static async open(options: TestFlowExporterOptions): Promise<TestFlowExporter> {
    const socket = createSocket(options.host.includes(':') ? 'udp6' : 'udp4');
    await new Promise<void>((resolve, reject) => {
      socket.once('error', reject);
      socket.bind({ port: 0, ...(options.localAddress ? { address: options.localAddress } : {}) }, () => {
        socket.off('error', reject);
        resolve();
      });
    });
    return new TestFlowExporter(socket, options);
  }

  /** The datagrams that carry `flows` (advances the sequence numbers). */
  encode(flows: readonly TestFlow[], nowMs = Date.now()): Buffer[] {
    const templateId = this.options.templateId ?? 256;
    const perDatagram = Math.min(Math.max(this.options.recordsPerDatagram ?? 30, 1), 30);
    const every = this.options.templateEvery ?? 20;
    const uptime = (ms: number) => Math.max(0, ms - this.bootMs) >>> 0;
    const datagrams: Buffer[] = [];
    for (let i = 0; i < flows.length; i += perDatagram) {
      const records = flows
        .slice(i, i + perDatagram)
        .map((flow) => [
          flow.srcIp,
          flow.dstIp,
          flow.srcPort,
          flow.dstPort,
          flow.protocol,
          flow.tcpFlags ?? 0,
          flow.packets,
          flow.bytes,
          uptime(flow.startMs ?? nowMs),
          uptime(flow.endMs ?? nowMs),
        ]);
      const sets: SetSpec[] = [];
      if (this.sent % every === 0) sets.push({ templates: [{ id: templateId, fields: V9_FLOW_FIELDS }] });
      sets.push({ data: { templateId, fields: V9_FLOW_FIELDS, records } });
      this.sequence = (this.sequence + 1) >>> 0;
      this.sent++;
      // The header's clock has whole seconds; uptime at that same instant keeps record times exact.
      const exportSecs = Math.floor(nowMs / 1000);
      datagrams.push(
        encodeV9({
          sysUptimeMs: uptime(exportSecs * 1000),
          unixSecs: exportSecs,
          sequence: this.sequence,
          sourceId: this.options.sourceId ?? 0,
          sets,
        }),
      );
    }
    return datagrams;
  }

  /** Sends datagrams as they are (encoded by `encode`, or hand-made). */
  async sendDatagrams(datagrams: readonly Buffer[]): Promise<void> {
    for (const datagram of datagrams) {
      await new Promise<void>((resolve, reject) =>
        this.socket.send(datagram, this.options.port, this.options.host, (error) =>
          error ? reject(error) : resolve(),
        ),
      );
    }
  }

  /** Encodes and sends `flows`; resolves with the number of datagrams sent. */
  async send(flows: readonly TestFlow[], nowMs = Date.now()): Promise<number> {
    const datagrams = this.encode(flows, nowMs);
    await this.sendDatagrams(datagrams);
    return datagrams.length;
  }

  close(): void {
    this.socket.close();
  }
}
