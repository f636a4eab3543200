/**
 * Drives Debian's real `softflowd` for interoperability tests (ingest, flow source,
 * testing): starts it in the foreground on an interface (loopback by default, which needs
 * root for packet capture), exporting NetFlow v5, v9 or IPFIX to a collector, each run with
 * its own pid file and control socket.
 *
 * softflowd's libpcap (TPACKET_V3 ring) hands packets over only when a ring block fills, so
 * on a quiet interface the test's few packets would wait for ever. `flush` therefore sends
 * a burst of filler datagrams to a port of its own (added to the capture filter) and then
 * asks `softflowctl expire-all` to export every flow; call it until the flows arrive.
 *
 * @example
 * const softflowd = await startSoftflowd({ version: 10, collector: { host: '127.0.0.1', port }, filter: 'tcp port 8080' });
 * await softflowd.flush();
 * await softflowd.stop();
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

export const SOFTFLOWD = '/usr/sbin/softflowd';
export const SOFTFLOWCTL = '/usr/sbin/softflowctl';

const run = promisify(execFile);

export interface SoftflowdOptions {
  version: 5 | 9 | 10;
  collector: { host: string; port: number };
  interfaceName?: string;
  /** A BPF filter for the traffic to watch, e.g. `tcp port 40000`. */
  filter: string;
}

export interface RunningSoftflowd {
  readonly output: () => string;
  /** The UDP port the filler datagrams go to (their flow is exported too). */
  readonly fillerPort: number;
  /** Pushes the captured packets through (a filler burst), then exports every flow. */
  flush(): Promise<void>;
  expireAll(): Promise<void>;
  stop(): Promise<void>;
}

/** A UDP port free now (nobody listens there; the filler only has to cross the interface). */
export async function freeUdpPort(): Promise<number> {
  const socket = createSocket('udp4');
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
  const port = socket.address().port;
  await new Promise<void>((resolve) => socket.close(() => resolve()));
  return port;
}

const FILLER_DATAGRAMS = 500;
const FILLER = Buffer.alloc(1400, 0x66);

async function sendFiller(port: number): Promise<void> {
  const socket = createSocket('udp4');
  for (let i = 0; i < FILLER_DATAGRAMS; i++) {
    await new Promise<void>((resolve) => socket.send(FILLER, port, '127.0.0.1', () => resolve()));
  }
  await new Promise<void>((resolve) => socket.close(() => resolve()));
}

export async function startSoftflowd(options: SoftflowdOptions): Promise<RunningSoftflowd> {
  const fillerPort = await freeUdpPort();
  const dir = mkdtempSync(join(tmpdir(), 'ensuresec-softflowd-'));
  const control = join(dir, 'softflowd.ctl');
  const args = [
    '-d',
    '-i',
    options.interfaceName ?? 'lo',
    '-n',
    `${options.collector.host}:${options.collector.port}`,
    '-v',
    String(options.version),
    '-p',
    join(dir, 'softflowd.pid'),
    '-c',
    control,
    `(${options.filter}) or (udp and dst port ${fillerPort})`,
  ];
  const child: ChildProcess = spawn(SOFTFLOWD, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.once('error', (error) => (output += `\nspawn failed: ${error.message}`));
  // Ready once the control socket exists.
  for (let i = 0; i < 100 && !existsSync(control); i++) {
    if (child.exitCode !== null) break;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  if (!existsSync(control)) {
    child.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
    throw new Error(`softflowd did not start: ${output}`);
  }
  const expireAll = async () => {
    await run(SOFTFLOWCTL, ['-c', control, 'expire-all']);
  };
  return {
    output: () => output,
    fillerPort,
    async flush() {
      await sendFiller(fillerPort);
      await expireAll();
    },
    expireAll,
    async stop() {
      if (child.exitCode === null) {
        await run(SOFTFLOWCTL, ['-c', control, 'shutdown']).catch(() => child.kill('SIGTERM'));
        const timer = setTimeout(() => child.kill('SIGKILL'), 3_000);
        await exited;
        clearTimeout(timer);
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
