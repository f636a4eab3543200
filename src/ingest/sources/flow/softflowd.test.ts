/**
 * Interoperability with a real exporter: Debian's softflowd watches loopback while the test
 * makes a TCP exchange and sends a UDP datagram, then exports the flows as NetFlow v5, v9
 * and IPFIX to the collector. Needs softflowd (CI installs it; a missing one fails) and root
 * for packet capture.
 */
import { createSocket } from 'node:dgram';
import { existsSync } from 'node:fs';
import { createServer, connect, type AddressInfo, type Server } from 'node:net';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { SecurityEvent } from '../../../core/records/index.js';
import { CollectingWriter } from '../event-writer.js';
import { parseFlowConfig } from './config.js';
import { startFlowSource, type RunningFlowSource } from './run.js';
import { freeUdpPort, SOFTFLOWD, startSoftflowd, type RunningSoftflowd } from './testing/softflowd.js';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function tcpServer(): Promise<Server> {
  const server = createServer((socket) => {
    socket.resume(); // read the client's bytes, so its FIN arrives and the socket closes
    socket.end('hello from the server\n');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  cleanups.push(() => new Promise<void>((resolve) => server.close(() => resolve())));
  return server;
}

async function tcpExchange(port: number): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () => socket.write('hello from the client\n'));
    socket.on('data', () => undefined);
    socket.on('end', () => socket.end());
    socket.on('close', () => resolve());
    socket.on('error', reject);
  });
}

async function udpDatagram(port: number, payload: Buffer): Promise<void> {
  const socket = createSocket('udp4');
  await new Promise<void>((resolve, reject) =>
    socket.send(payload, port, '127.0.0.1', (error) => (error ? reject(error) : resolve())),
  );
  socket.close();
}

describe('flow collector with Debian softflowd', () => {
  it('finds softflowd installed (CI installs it)', () => {
    expect(existsSync(SOFTFLOWD), `${SOFTFLOWD} is missing: apt-get install softflowd`).toBe(true);
  });

  for (const version of [5, 9, 10] as const) {
    it(`receives softflowd's NetFlow ${version === 10 ? 'IPFIX' : `v${version}`} export of loopback traffic`, async () => {
      const writer = new CollectingWriter();
      const source: RunningFlowSource = await startFlowSource(parseFlowConfig({ listen: '127.0.0.1:0' }), {
        writer,
      });
      cleanups.push(() => source.stop());
      const server = await tcpServer();
      const tcpPort = (server.address() as AddressInfo).port;
      const udpPort = await freeUdpPort();
      const softflowd: RunningSoftflowd = await startSoftflowd({
        version,
        collector: source.address,
        filter: `tcp port ${tcpPort} or udp port ${udpPort}`,
      });
      cleanups.push(() => softflowd.stop());
      // softflowd opens its capture right after its control socket; give it a moment.
      await new Promise((resolve) => setTimeout(resolve, 500));
      await tcpExchange(tcpPort);
      await udpDatagram(udpPort, Buffer.alloc(100, 0x61));

      const flowTo = (port: number, protocol: string) => (event: SecurityEvent) =>
        event.flow?.dstPort === port && event.flow.protocol === protocol;
      await vi.waitFor(
        async () => {
          await softflowd.flush();
          await source.drain();
          expect(writer.events.some(flowTo(tcpPort, 'tcp'))).toBe(true);
          expect(writer.events.some(flowTo(udpPort, 'udp'))).toBe(true);
        },
        { timeout: 15_000, interval: 500 },
      );

      const tcp = writer.events.find(flowTo(tcpPort, 'tcp'))?.flow;
      expect(tcp).toMatchObject({ srcIp: '127.0.0.1', dstIp: '127.0.0.1', exporter: '127.0.0.1' });
      expect(tcp?.packets).toBeGreaterThanOrEqual(3);
      expect((tcp?.tcpFlags ?? 0) & 0x02).toBe(0x02); // SYN
      expect(writer.events.some((e) => e.flow?.srcPort === tcpPort && e.flow.protocol === 'tcp')).toBe(true);
      // 100 octets of payload + 8 UDP + 20 IPv4 header: softflowd counts IP bytes.
      expect(writer.events.find(flowTo(udpPort, 'udp'))?.flow).toMatchObject({ packets: 1, bytes: 128 });
      const now = Date.now();
      expect(writer.events.some((e) => e.flow?.dstPort === softflowd.fillerPort)).toBe(true);
      for (const event of writer.events) {
        expect(Math.abs(Date.parse(event.time) - now)).toBeLessThan(60_000);
        expect(event.labels['flow.format']).toBe(version === 10 ? 'ipfix' : `netflow-v${version}`);
      }
      const dropped = Object.values(source.counters.dropped).reduce((sum, n) => sum + n, 0);
      expect(dropped).toBe(0);
      expect(source.counters.lostRecords + source.counters.lostDatagrams).toBe(0);
    }, 30_000);
  }
});
