/**
 * The measuring instruments of the gateway benchmark (bench/gateway.ts): wrk for throughput,
 * the open-loop generator (bench/fixed-rate.ts, in its own process) for latency at a fixed
 * rate, and /proc for a server's CPU time and peak memory. CPU time per request is the
 * steadiest number on a shared machine: another process stealing cores lowers req/s, but
 * hardly changes how much CPU the server spends on each request.
 */
import { execFileSync, spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import type { FixedRateResult } from './fixed-rate.js';

export interface WrkResult {
  rps: number;
  requests: number;
  p50Ms: number;
  p99Ms: number;
  non2xx: number;
}

export interface WrkSettings {
  threads: number;
  connections: number;
  durationSec: number;
}

function toMs(value: string): number {
  const match = /^([\d.]+)(us|ms|s|m)$/.exec(value.trim());
  if (!match) return Number.NaN;
  const n = Number(match[1]);
  return match[2] === 'us' ? n / 1000 : match[2] === 's' ? n * 1000 : match[2] === 'm' ? n * 60_000 : n;
}

/** wrk against 127.0.0.1:port; `luaScript` (wrk -s) carries a workload other than a bare GET. */
export function runWrk(port: number, settings: WrkSettings, luaScript?: string): WrkResult {
  const out = execFileSync(
    'wrk',
    [
      `-t${settings.threads}`,
      `-c${settings.connections}`,
      `-d${settings.durationSec}s`,
      '--latency',
      ...(luaScript ? ['-s', luaScript] : []),
      `http://127.0.0.1:${port}/`,
    ],
    { encoding: 'utf8' },
  );
  return {
    rps: Number(/Requests\/sec:\s+([\d.]+)/.exec(out)?.[1] ?? Number.NaN),
    requests: Number(/(\d+) requests in/.exec(out)?.[1] ?? Number.NaN),
    p50Ms: toMs(/^\s*50(?:\.000)?%\s+(\S+)/m.exec(out)?.[1] ?? ''),
    p99Ms: toMs(/^\s*99(?:\.000)?%\s+(\S+)/m.exec(out)?.[1] ?? ''),
    non2xx: Number(/Non-2xx or 3xx responses: (\d+)/.exec(out)?.[1] ?? 0),
  };
}

export function warmUp(port: number, luaScript?: string): void {
  const script = luaScript ? ['-s', luaScript] : [];
  execFileSync('wrk', ['-t1', '-c10', '-d2s', ...script, `http://127.0.0.1:${port}/`], { stdio: 'ignore' });
}

/** utime + stime of a process in clock ticks (fields 14 and 15 of /proc/<pid>/stat). */
function cpuTicksOf(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) may hold spaces: count fields after its closing parenthesis.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return Number(fields[11]) + Number(fields[12]);
  } catch {
    return 0;
  }
}

/** CPU ticks of a process and its direct children (nginx's workers). */
export function cpuTicks(pid: number): number {
  let ticks = cpuTicksOf(pid);
  try {
    const children = readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim();
    for (const child of children === '' ? [] : children.split(' ')) ticks += cpuTicksOf(Number(child));
  } catch {
    // No children file (not Linux, or the process is gone): the process's own time it is.
  }
  return ticks;
}

let ticksPerSecond = 0;

export function ticksToUs(ticks: number): number {
  if (ticksPerSecond === 0) {
    try {
      ticksPerSecond = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
    } catch {
      ticksPerSecond = 100;
    }
  }
  return (ticks / ticksPerSecond) * 1e6;
}

export function peakRssMb(pid: number | undefined): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/VmHWM:\s+(\d+) kB/.exec(status)?.[1] ?? Number.NaN) / 1024;
}

/**
 * Where a process's peak RSS happens: `step(name)` reads the peak (VmHWM) since the last step
 * and resets it to the current RSS (Linux's clear_refs, value 5), so each step of a benchmark
 * gets its own peak. Where the reset is refused (another user's process), the steps report the
 * peak so far. `peak` is the highest over all steps, the process's peak since the first read.
 */
export class PeakRssSteps {
  readonly steps: Array<{ name: string; mb: number }> = [];
  private canReset = true;

  constructor(private readonly pid: number) {}

  step(name: string): void {
    this.steps.push({ name, mb: peakRssMb(this.pid) });
    if (!this.canReset) return;
    try {
      writeFileSync(`/proc/${this.pid}/clear_refs`, '5');
    } catch {
      this.canReset = false;
    }
  }

  get peak(): number {
    return Math.max(...this.steps.map((s) => s.mb));
  }

  /** The steps in order, `name peak`, the highest marked. */
  describe(): string {
    const peak = this.peak;
    return this.steps.map((s) => `${s.name} ${s.mb.toFixed(1)}${s.mb === peak ? ' (peak)' : ''}`).join(', ');
  }
}

/**
 * Runs a measuring entry point (an open-loop generator, bench/jitter.ts) in its own process and
 * reads its one JSON line.
 */
export function runGenerator<T = FixedRateResult>(command: string[], args: string[]): Promise<T> {
  const child = spawn(process.execPath, [...command, ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  child.stdout.setEncoding('utf8');
  child.stdout.on('data', (chunk: string) => (out += chunk));
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (code) => {
      if (code !== 0) return reject(new Error(`${command.at(-1) ?? 'generator'} exited with ${code}`));
      resolve(JSON.parse(out.trim()) as T);
    });
  });
}

/** Runs bench/fixed-rate.ts in its own process (`command` is node's arguments for it). */
export function runFixedRate(
  command: string[],
  port: number,
  ratePerSec: number,
  durationSec: number,
): Promise<FixedRateResult> {
  return runGenerator(command, [`http://127.0.0.1:${port}/`, String(ratePerSec), String(durationSec)]);
}
