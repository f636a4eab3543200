import { createSocket } from 'node:dgram';
import { readFileSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { ManualClock } from '../../../core/clock.js';
import { securityEventSchema, type SecurityEvent } from '../../../core/records/index.js';
import { malformedTotal } from '../access-log/metrics.js';
import { MemoryDeadLetterSink } from '../dead-letter.js';
import { CollectingWriter } from '../event-writer.js';
import { parseSyslogConfig, type SyslogConfigInput } from './config.js';
import { startSyslogSource, type RunningSyslogSource } from './run.js';

const fixtureLines = (name: string) =>
  readFileSync(new URL(`./fixtures/${name}`, import.meta.url), 'utf8')
    .split('\n')
    .filter((line) => line !== '');
const clock = new ManualClock(Date.parse('2026-11-26T12:00:00Z'));

describe('syslog source over the network', () => {
  const running: RunningSyslogSource[] = [];
  const sockets: Socket[] = [];
  afterEach(async () => {
    for (const socket of sockets.splice(0)) socket.destroy();
    for (const source of running.splice(0)) await source.stop();
  });

  async function start(overrides: Partial<SyslogConfigInput> = {}, writer = new CollectingWriter()) {
    const deadLetters = new MemoryDeadLetterSink();
    const config = parseSyslogConfig({ udp: { port: 0 }, tcp: { port: 0 }, ...overrides });
    const source = await startSyslogSource(config, { writer, deadLetters, clock });
    running.push(source);
    return { source, writer, deadLetters };
  }

  async function sendUdp(port: number, messages: (string | Buffer)[]): Promise<void> {
    const client = createSocket('udp4');
    for (const message of messages) {
      await new Promise<void>((resolve, reject) =>
        client.send(message, port, '127.0.0.1', (error) => (error ? reject(error) : resolve())),
      );
    }
    client.close();
  }

  async function tcpClient(port: number): Promise<Socket> {
    const socket = connect(port, '127.0.0.1');
    sockets.push(socket);
    await new Promise<void>((resolve, reject) => socket.once('connect', resolve).once('error', reject));
    return socket;
  }

  it('turns UDP datagrams (RFC 5424 and 3164) into events, access lines into http events', async () => {
    const { source, writer, deadLetters } = await start({ tcp: { enabled: false } });
    const messages = [...fixtureLines('rfc5424.txt'), ...fixtureLines('rfc3164.txt')];
    await sendUdp(source.udpAddress?.port as number, messages);
    await vi.waitFor(() => expect(source.counters.linesRead).toBe(messages.length));
    await source.drain();
    for (const event of writer.events) securityEventSchema.parse(event);
    expect(writer.events).toHaveLength(messages.length - 1);
    expect(source.counters.malformed).toEqual({ syslog_bad_priority: 1 });
    expect(deadLetters.list()[0]).toMatchObject({
      reason: 'syslog_bad_priority',
      location: expect.stringMatching(/^udp 127\.0\.0\.1:\d+$/),
    });

    const http = writer.events.filter((event) => event.kind === 'http');
    expect(http.map((event) => [event.client?.ip, event.http?.path, event.labels['syslog.app']])).toEqual([
      ['203.0.113.7', '/cart', 'nginx'],
      ['203.0.113.9', '/account/login', 'nginx'],
      ['203.0.113.10', '/admin', 'apache2'],
    ]);
    expect(http[0]?.source).toEqual({ type: 'syslog', name: 'syslog' });

    const sshd = writer.events.find(
      (event) => event.labels['syslog.app'] === 'sshd' && event.labels['sd.meta@32473.note'],
    );
    expect(sshd).toMatchObject({
      kind: 'log',
      time: '2026-11-26T09:00:00.123Z',
      severity: 'low',
      log: {
        line: expect.stringMatching(/^Failed password for invalid user admin/),
        format: 'syslog-rfc5424',
      },
      labels: {
        'syslog.facility': 'authpriv',
        'syslog.severity': 'warning',
        'syslog.host': 'web1',
        'sd.meta@32473.note': 'quote " bracket ] slash \\',
      },
    });
    const bom = writer.events.find(
      (event) => event.labels['syslog.app'] === 'evntslog' && event.log?.line !== '',
    );
    expect(bom?.log?.line).toBe('An application event log entry...');
  });

  it('reads TCP streams with octet counting and with newlines, split anywhere', async () => {
    const { source, writer } = await start({ udp: { enabled: false } });
    const port = source.tcpAddress?.port as number;
    const counted = fixtureLines('rfc5424.txt')
      .map((line) => `${Buffer.byteLength(line)} ${line}`)
      .join('');
    const framed = `${fixtureLines('rfc3164.txt').slice(0, 5).join('\n')}\n`;
    const a = await tcpClient(port);
    const b = await tcpClient(port);
    const bytes = Buffer.from(counted);
    a.write(bytes.subarray(0, 7));
    b.write(framed.slice(0, 50));
    await new Promise((resolve) => setTimeout(resolve, 5));
    a.write(bytes.subarray(7));
    b.end(framed.slice(50));
    await vi.waitFor(() => expect(writer.events).toHaveLength(fixtureLines('rfc5424.txt').length + 5));
    expect(malformedTotal(source.counters)).toBe(0);
    expect(writer.events.filter((event) => event.labels['syslog.protocol'] === 'rfc5424')).toHaveLength(7);
    expect(source.counters.connectionsAccepted).toBe(2);
  });

  it('refuses messages over the size limit and keeps the connection working', async () => {
    const { source, writer } = await start({ maxMessageBytes: 512 });
    const big = `<13>Nov 26 10:00:00 web1 app: ${'x'.repeat(2000)}`;
    const socket = await tcpClient(source.tcpAddress?.port as number);
    socket.write(`${big}\n<13>Nov 26 10:00:01 web1 app: small\n${big.length} ${big}`);
    socket.write('<13>Nov 26 10:00:02 web1 app: after\n');
    await sendUdp(source.udpAddress?.port as number, [big, '<13>Nov 26 10:00:03 web1 app: udp small']);
    await vi.waitFor(() => expect(writer.events).toHaveLength(3));
    expect(source.counters.malformed).toEqual({ message_too_large: 3 });
    expect(writer.events.map((event) => event.log?.line).sort()).toEqual(['after', 'small', 'udp small']);
  });

  it('refuses connections beyond maxConnections', async () => {
    const { source } = await start({ udp: { enabled: false }, tcp: { port: 0, maxConnections: 2 } });
    const port = source.tcpAddress?.port as number;
    await tcpClient(port);
    await tcpClient(port);
    const third = await tcpClient(port);
    await new Promise<void>((resolve) => third.once('close', () => resolve()));
    expect(source.counters.connectionsRefused).toBe(1);
    expect(source.counters.connectionsOpen).toBe(2);
  });

  it('does not let one flooding connection starve another', async () => {
    const writer = new CollectingWriter(2);
    const { source } = await start({ udp: { enabled: false }, maxQueuedPerSender: 200 }, writer);
    const port = source.tcpAddress?.port as number;
    const flood = await tcpClient(port);
    const quiet = await tcpClient(port);
    const floodCount = 20_000;
    flood.write(
      Array.from({ length: floodCount }, (_, i) => `<13>Nov 26 10:00:00 flood app: message ${i}\n`).join(''),
    );
    await vi.waitFor(() => expect(writer.events.length).toBeGreaterThan(0));
    const deliveredWhenQuietSent = writer.events.length;
    quiet.write(
      Array.from({ length: 20 }, (_, i) => `<13>Nov 26 10:00:00 quiet app: message ${i}\n`).join(''),
    );
    await vi.waitFor(() => expect(writer.events).toHaveLength(floodCount + 20), { timeout: 20_000 });
    const fromQuiet = (event: SecurityEvent) => event.labels['syslog.host'] === 'quiet';
    const lastQuiet = writer.events.findLastIndex(fromQuiet);
    expect(writer.events.filter(fromQuiet)).toHaveLength(20);
    // The quiet sender's messages went out within a few batches, not after the flood's backlog.
    expect(lastQuiet - deliveredWhenQuietSent).toBeLessThan(floodCount / 10);
  });
});
