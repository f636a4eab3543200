/**
 * WAF benchmark: `node --import tsx bench/waf.ts` (npm run bench:waf). In one run, against the
 * same fast upstream (the anchor's nginx `return 200` on :8083, or bench/server.ts's upstream
 * when the anchor cannot start), it loads (a) the Ensuresec gateway with the OWASP CRS at PL1
 * (default setup, SecRuleEngine On), (b) the same gateway without WAF, (c) nginx + ModSecurity
 * v3 + CRS 4.28 (bench/waf-anchor.ts) and, for reference, the anchor's nginx proxy without
 * ModSecurity, with a benign browser-like GET and a 2 KB urlencoded form POST (bench/waf-load.ts).
 * It first checks that (a) and (c) answer a SQLi request with 403. Each round runs wrk (req/s,
 * p50, p99, server CPU per request) and then the open-loop generator at a fixed rate (p99 added
 * latency); targets are interleaved and each column keeps its best round (shared machine). Then,
 * with the anchor, one open-loop run of every target at half the anchor's req/s: the p99 each WAF
 * adds to its own proxy at a rate both sustain. The gateway+CRS's peak RSS is read (and reset, see
 * PeakRssSteps in bench/measure.ts) after each step, so the output says where the peak happened.
 * Before and after the load, bench/jitter.ts measures the machine's own p99 for ~1 ms of CPU, the
 * floor under every p99 this run prints (a shared VM stalls even a bare compute loop).
 * Env: BENCH_DURATION_S (10), BENCH_CONNECTIONS (50), BENCH_THREADS (2), BENCH_ROUNDS (3),
 * BENCH_WAF_NODE_FLAGS (Node flags of both gateways; default: the `ensuresec` launcher's),
 * BENCH_WAF_RATE (cap of the open-loop rate, 400 req/s; each workload runs at half the gateway+CRS's
 * wrk req/s when lower, and a target whose wrk req/s is under 1.5x that rate is not loaded open-loop:
 * its queue would only measure overload), BENCH_FIXED_DURATION_S (8),
 * WAF_CRS_DIR (../shared/crs), MODSEC_ANCHOR_DIR (../shared/anchors/modsec-nginx).
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import type { FixedRateResult } from './fixed-rate.js';
import { describeJitter, type JitterResult } from './jitter.js';
import { cpuTicks, peakRssMb, PeakRssSteps, runGenerator, runWrk, ticksToUs, warmUp } from './measure.js';
import { ANCHOR_PORTS, startAnchor, stopAnchor, type Anchor } from './waf-anchor.js';
import { runOpenLoop, SQLI_PATH, statusOf, WORKLOADS, writeWorkloadFiles } from './waf-load.js';

const root = resolve(fileURLToPath(new URL('..', import.meta.url)));
const WRK = {
  durationSec: Number(process.env['BENCH_DURATION_S'] ?? 10),
  connections: Number(process.env['BENCH_CONNECTIONS'] ?? 50),
  threads: Number(process.env['BENCH_THREADS'] ?? 2),
};
const ROUNDS = Number(process.env['BENCH_ROUNDS'] ?? 3);
/** Open-loop rate cap; each workload runs at min(cap, half the gateway+CRS's round-1 wrk req/s). */
const RATE_CAP = Number(process.env['BENCH_WAF_RATE'] ?? 400);
const FIXED_DURATION_S = Number(process.env['BENCH_FIXED_DURATION_S'] ?? 8);
const CRS_DIR = resolve(process.env['WAF_CRS_DIR'] ?? join(root, '../shared/crs'));
const ANCHOR_DIR = resolve(process.env['MODSEC_ANCHOR_DIR'] ?? join(root, '../shared/anchors/modsec-nginx'));
const ENTRY_POINTS = {
  wafServer: fileURLToPath(new URL('./waf-server.ts', import.meta.url)),
  openLoop: fileURLToPath(new URL('./waf-open-loop.ts', import.meta.url)),
  server: fileURLToPath(new URL('./server.ts', import.meta.url)),
  jitter: fileURLToPath(new URL('./jitter.ts', import.meta.url)),
  // The WAF worker threads' entry point: the pool looks for worker.mjs beside the bundle.
  worker: fileURLToPath(new URL('../src/gateway/waf/pool/worker.ts', import.meta.url)),
};
type Commands = Record<keyof typeof ENTRY_POINTS, string[]>;

const CRS_GATEWAY = 'ensuresec gateway + CRS PL1';
const PLAIN_GATEWAY = 'ensuresec gateway, no WAF';
const ANCHOR = 'nginx + ModSecurity v3 + CRS 4.28';
const NGINX_PROXY = 'nginx proxy, no ModSecurity';

const onPath = (tool: string): boolean =>
  spawnSync('sh', ['-c', `command -v ${tool}`], { stdio: 'ignore' }).status === 0;
const load = (): string =>
  loadavg()
    .map((n) => n.toFixed(2))
    .join(', ');
const ms = (n: number | undefined): string => (n === undefined || Number.isNaN(n) ? '' : n.toFixed(2));

/** As bench/gateway.ts: plain .mjs bundles (esbuild, tsx's dependency) keep the tsx loader out of RSS. */
async function bundle(dir: string): Promise<Commands> {
  try {
    const esbuild = (await import('esbuild')) as typeof import('esbuild');
    await esbuild.build({
      entryPoints: ENTRY_POINTS,
      bundle: true,
      platform: 'node',
      format: 'esm',
      target: 'node20',
      outdir: dir,
      outExtension: { '.js': '.mjs' },
      logLevel: 'error',
      banner: {
        js: "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);",
      },
    });
    return Object.fromEntries(Object.keys(ENTRY_POINTS).map((k) => [k, [join(dir, `${k}.mjs`)]])) as Commands;
  } catch (err) {
    console.log(`note: esbuild unavailable (${String(err)}); running through tsx, which adds RSS.`);
    return Object.fromEntries(
      Object.entries(ENTRY_POINTS).map(([k, f]) => [k, ['--import', 'tsx', f]]),
    ) as Commands;
  }
}

/**
 * Node's flags from the `ensuresec` launcher line (src/cli/main.ts), so both gateways start as
 * `ensuresec start` starts them; BENCH_WAF_NODE_FLAGS (space-separated, may be empty) replaces them.
 */
function launcherFlags(): string[] {
  const override = process.env['BENCH_WAF_NODE_FLAGS'];
  if (override !== undefined) return override.split(' ').filter((flag) => flag !== '');
  const shebang = readFileSync(join(root, 'src/cli/main.ts'), 'utf8').split('\n')[0] ?? '';
  const words = shebang.replace(/^#!/, '').trim().split(/\s+/);
  return words.slice(words.indexOf('node') + 1);
}

interface Target {
  name: string;
  port: number;
  pid: number;
}

function startChild(command: string[], args: string[], name: string): Promise<ChildProcess & Target> {
  const child = spawn(process.execPath, [...command, ...args], {
    stdio: ['ignore', 'pipe', 'inherit', 'ipc'],
  });
  return new Promise((done, fail) => {
    createInterface({ input: child.stdout as NodeJS.ReadableStream }).once('line', (line) => {
      const { port } = JSON.parse(line) as { port: number };
      done(Object.assign(child, { name, port, pid: child.pid ?? 0 }));
    });
    child.once('exit', (code) => fail(new Error(`${name} exited with ${code}`)));
  });
}

interface Row {
  name: string;
  rps: number;
  p50Ms: number;
  p99Ms: number;
  cpuUsPerRequest: number;
  fixed: FixedRateResult | null;
}

/** Keeps each column's best round: most req/s (with its latencies), least CPU, lowest fixed p99. */
function keepBest(previous: Row | undefined, next: Row): Row {
  if (previous === undefined) return next;
  const throughput = next.rps > previous.rps ? next : previous;
  const betterFixed =
    previous.fixed === null || (next.fixed !== null && next.fixed.p99Ms < previous.fixed.p99Ms);
  return {
    ...throughput,
    cpuUsPerRequest: Math.min(previous.cpuUsPerRequest, next.cpuUsPerRequest),
    fixed: betterFixed ? next.fixed : previous.fixed,
  };
}

function printTable(workload: string, rows: Row[], rate: number): void {
  console.log(`\n${workload}`);
  const columns = ['req/s', 'p50 ms', 'p99 ms', 'CPU µs/req', `@${rate}/s p50`, 'p99', 'max'];
  const pad = (cells: string[]): string => cells.map((c, i) => c.padStart(i === 4 ? 14 : 11)).join('');
  console.log(`${'target'.padEnd(36)}${pad(columns)}`);
  for (const r of rows) {
    const cells = [r.rps.toFixed(0), ms(r.p50Ms), ms(r.p99Ms), r.cpuUsPerRequest.toFixed(1)];
    console.log(
      `${r.name.padEnd(36)}${pad([...cells, ms(r.fixed?.p50Ms), ms(r.fixed?.p99Ms), ms(r.fixed?.maxMs)])}`,
    );
  }
}

function printVerdicts(rows: Row[], rate: number): void {
  const byName = (name: string): Row | undefined => rows.find((r) => r.name === name);
  const [crs, plain, anchor] = [byName(CRS_GATEWAY), byName(PLAIN_GATEWAY), byName(ANCHOR)];
  if (crs && anchor) {
    const ratio = crs.rps / anchor.rps;
    const verdict = ratio >= 5 ? 'OK (stretch met)' : ratio >= 2 ? 'OK' : 'BELOW TARGET';
    console.log(`  gateway+CRS / anchor req/s: ${ratio.toFixed(2)}x (target >= 2x, stretch 5x) ${verdict}`);
    console.log(
      `  gateway+CRS / anchor CPU per request: ${((crs.cpuUsPerRequest / anchor.cpuUsPerRequest) * 100).toFixed(1)} %`,
    );
  }
  if (crs && plain) {
    const fixedCrs = crs.fixed?.p99Ms;
    const fixedPlain = plain.fixed?.p99Ms;
    if (fixedCrs !== undefined && fixedPlain !== undefined) {
      const added = fixedCrs - fixedPlain;
      console.log(
        `  p99 added by the WAF @${rate}/s (gateway+CRS - gateway): ${added >= 0 ? '+' : ''}${ms(added)} ms (target <= 5 ms) ${added <= 5 ? 'OK' : 'ABOVE TARGET'}`,
      );
    }
    const wrkAdded = crs.p99Ms - plain.p99Ms;
    console.log(
      `  wrk p99 difference (saturated, queueing included): ${wrkAdded >= 0 ? '+' : ''}${ms(wrkAdded)} ms`,
    );
    console.log(`  WAF CPU per request: ${(crs.cpuUsPerRequest - plain.cpuUsPerRequest).toFixed(1)} µs`);
  }
}

/** The p99 each WAF adds to its own proxy at one rate every target sustains. */
function printSharedRate(results: Map<string, FixedRateResult>, rate: number): void {
  const added = (waf: string, proxy: string): string => {
    const [a, b] = [results.get(waf), results.get(proxy)];
    if (a === undefined || b === undefined) return 'not measured';
    const d = a.p99Ms - b.p99Ms;
    return `${d >= 0 ? '+' : ''}${ms(d)} ms (p99 ${ms(a.p99Ms)} against ${ms(b.p99Ms)})`;
  };
  console.log(`  @${rate}/s, half the anchor's req/s, every target loaded:`);
  console.log(
    `    p99 added by the gateway's WAF (gateway+CRS - gateway): ${added(CRS_GATEWAY, PLAIN_GATEWAY)}`,
  );
  console.log(`    p99 added by ModSecurity (anchor - nginx proxy):        ${added(ANCHOR, NGINX_PROXY)}`);
}

/** (a) and (c) must block a SQLi before their numbers mean anything; benign requests must pass everywhere. */
async function verify(targets: Target[], anchor: Target | null): Promise<Target | null> {
  const get = WORKLOADS[0];
  if (get === undefined) throw new Error('no GET workload');
  console.log(`inspection check: GET ${SQLI_PATH} (expect 403 from the WAFs), benign workloads (expect 200)`);
  let anchorOk = anchor;
  for (const target of targets) {
    const sqli = await statusOf(target.port, get, SQLI_PATH);
    const benign = await Promise.all(WORKLOADS.map((w) => statusOf(target.port, w)));
    const wantsBlock = target.name === CRS_GATEWAY || target.name === ANCHOR;
    const ok = (wantsBlock ? sqli === 403 : sqli === 200) && benign.every((s) => s === 200);
    console.log(
      `  ${target.name.padEnd(36)} SQLi ${sqli}, ${WORKLOADS.map((w, i) => `${w.name} ${benign[i]}`).join(', ')} ${ok ? 'OK' : 'UNEXPECTED'}`,
    );
    if (ok) continue;
    if (target.name === CRS_GATEWAY)
      throw new Error('the gateway with CRS does not inspect as expected; not measuring');
    if (target.name === ANCHOR) anchorOk = null;
  }
  if (anchor !== null && anchorOk === null)
    console.log(`note: the anchor failed the check; it is left out of the table.`);
  return anchorOk;
}

async function main(): Promise<void> {
  if (!onPath('wrk')) {
    console.error('bench:waf needs wrk: apt-get install wrk (Debian/Ubuntu), brew install wrk (macOS).');
    process.exit(2);
  }
  if (!existsSync(join(CRS_DIR, 'rules'))) {
    console.error(`bench:waf needs an extracted CRS at ${CRS_DIR} (set WAF_CRS_DIR); see docs/waf.md.`);
    process.exit(2);
  }
  const children: ChildProcess[] = [];
  const dir = mkdtempSync(join(tmpdir(), 'ensuresec-bench-waf-'));
  let anchor: Anchor | null = null;
  try {
    const commands = await bundle(dir);
    const started = await startAnchor(ANCHOR_DIR, CRS_DIR);
    if ('skipped' in started)
      console.log(`note: anchor (nginx + ModSecurity v3 + CRS 4.28) skipped: ${started.skipped}`);
    else anchor = started;

    let upstreamUrl = `http://127.0.0.1:${ANCHOR_PORTS.fastUpstream}`;
    if (anchor === null) {
      const upstream = await startChild(commands.server, ['upstream'], 'upstream');
      children.push(upstream);
      upstreamUrl = `http://127.0.0.1:${upstream.port}`;
    }
    console.log(
      `upstream for every target: ${upstreamUrl}${anchor ? " (the anchor's nginx return 200)" : ' (node:http)'}`,
    );
    const nodeFlags = launcherFlags();
    console.log(`gateways started with node ${nodeFlags.join(' ') || '(no flags)'}`);
    const gateway = [...nodeFlags, ...commands.wafServer];
    const crsGateway = await startChild(gateway, ['gateway-crs', upstreamUrl, CRS_DIR, dir], CRS_GATEWAY);
    children.push(crsGateway);
    const crsPeaks = new PeakRssSteps(crsGateway.pid);
    crsPeaks.step('start (rules compiled)');
    const plainGateway = await startChild(gateway, ['gateway', upstreamUrl], PLAIN_GATEWAY);
    children.push(plainGateway);
    const targets: Target[] = [
      { name: CRS_GATEWAY, port: crsGateway.port, pid: crsGateway.pid },
      { name: PLAIN_GATEWAY, port: plainGateway.port, pid: plainGateway.pid },
    ];
    const anchorTarget = anchor ? { name: ANCHOR, port: ANCHOR_PORTS.crs4, pid: anchor.pid } : null;
    if (anchorTarget) targets.push(anchorTarget);
    const anchorChecked = await verify(targets, anchorTarget);
    if (anchorTarget && !anchorChecked) targets.splice(targets.indexOf(anchorTarget), 1);
    if (anchor && anchorChecked)
      targets.push({ name: NGINX_PROXY, port: ANCHOR_PORTS.proxy, pid: anchor.pid });
    const auditLog = join(dir, 'waf', 'audit.log');
    const auditBytes = existsSync(auditLog) ? readFileSync(auditLog).length : 0;

    // The machine's own jitter, before and after the load: what a p99 in milliseconds can mean here.
    const jitterBefore = await runGenerator<JitterResult>(commands.jitter, []);
    console.log(`\nmachine jitter before the load: ${describeJitter(jitterBefore)}`);
    console.log(`load average before: ${load()}`);
    console.log(
      `wrk -t${WRK.threads} -c${WRK.connections} -d${WRK.durationSec}s --latency -s <workload.lua>, then open-loop ` +
        `(<= ${RATE_CAP} req/s) for ${FIXED_DURATION_S} s; ${ROUNDS} interleaved rounds, best of each column kept`,
    );
    const files = WORKLOADS.map((w, i) => writeWorkloadFiles(dir, w, i));
    const rows = WORKLOADS.map(() => new Map<string, Row>());
    const rates = WORKLOADS.map(() => RATE_CAP);
    const sharedRates: Array<number | undefined> = WORKLOADS.map(() => undefined);
    for (let round = 1; round <= ROUNDS; round++) {
      for (const [w, workload] of WORKLOADS.entries()) {
        const { lua, json } = files[w] as { lua: string; json: string };
        for (const target of targets) {
          if (round === 1) warmUp(target.port, lua);
          const crs = target.name === CRS_GATEWAY;
          if (round === 1 && crs) crsPeaks.step(`${workload.name} warm-up`);
          const ticksBefore = cpuTicks(target.pid);
          const wrk = runWrk(target.port, WRK, lua);
          if (crs) crsPeaks.step(`r${round} ${workload.name} wrk`);
          const cpuUsPerRequest = ticksToUs(cpuTicks(target.pid) - ticksBefore) / wrk.requests;
          if (wrk.non2xx > 0) console.warn(`  warning: ${wrk.non2xx} non-2xx responses from ${target.name}`);
          if (round === 1 && crs) rates[w] = Math.max(10, Math.min(RATE_CAP, Math.floor(wrk.rps / 20) * 10));
          const rate = rates[w] as number;
          const fixed =
            wrk.rps >= rate * 1.5
              ? await runOpenLoop(commands.openLoop, target.port, json, rate, FIXED_DURATION_S)
              : null;
          if (fixed && fixed.errors > 0)
            console.warn(`  warning: ${fixed.errors} failed open-loop requests to ${target.name}`);
          if (crs && fixed) crsPeaks.step(`r${round} ${workload.name} @${rate}/s`);
          const row: Row = { name: target.name, ...wrk, cpuUsPerRequest, fixed };
          const byTarget = rows[w] as Map<string, Row>;
          byTarget.set(target.name, keepBest(byTarget.get(target.name), row));
          console.log(
            `  round ${round} ${workload.name}: ${target.name}: ${wrk.rps.toFixed(0)} req/s, ` +
              `${cpuUsPerRequest.toFixed(1)} CPU µs/req, p99 @${rate}/s ${fixed ? `${ms(fixed.p99Ms)} ms` : 'not run (overloaded)'}`,
          );
        }
      }
    }
    // At a rate every target sustains (half the anchor's best wrk req/s), what each WAF adds to its proxy.
    const shared = WORKLOADS.map(() => new Map<string, FixedRateResult>());
    const anchorRows = rows.map((byTarget) => byTarget.get(ANCHOR));
    for (const [w, workload] of WORKLOADS.entries()) {
      const anchorRps = anchorRows[w]?.rps;
      if (anchorRps === undefined) continue;
      const rate = Math.max(10, Math.floor(anchorRps / 20) * 10);
      sharedRates[w] = rate;
      for (const target of targets) {
        const fixed = await runOpenLoop(
          commands.openLoop,
          target.port,
          files[w]!.json,
          rate,
          FIXED_DURATION_S,
        );
        (shared[w] as Map<string, FixedRateResult>).set(target.name, fixed);
        if (target.name === CRS_GATEWAY) crsPeaks.step(`${workload.name} @${rate}/s shared`);
        console.log(
          `  ${workload.name} @${rate}/s (every target): ${target.name}: p99 ${ms(fixed.p99Ms)} ms`,
        );
      }
    }
    crsPeaks.step('end');
    const jitterAfter = await runGenerator<JitterResult>(commands.jitter, []);
    const rssCrs = crsPeaks.peak;
    const rssPlain = peakRssMb(plainGateway.pid);
    const auditAfter = existsSync(auditLog) ? readFileSync(auditLog).length : 0;
    for (const [w, workload] of WORKLOADS.entries()) {
      const list = [...(rows[w] as Map<string, Row>).values()];
      printTable(
        `${workload.name} (${workload.method} ${workload.path}${workload.body ? `, ${workload.body.length} B body` : ''})`,
        list,
        rates[w] as number,
      );
      printVerdicts(list, rates[w] as number);
      const rate = sharedRates[w];
      if (rate !== undefined) printSharedRate(shared[w] as Map<string, FixedRateResult>, rate);
    }
    console.log('');
    if (anchor)
      console.log(`note: the anchor's CPU µs/req includes its nginx upstream (:8083, same nginx master).`);
    console.log(
      `gateway+CRS peak RSS (VmHWM): ${rssCrs.toFixed(1)} MB (target <= 200 MB) ${rssCrs <= 200 ? 'OK' : 'ABOVE TARGET'}; gateway without WAF: ${rssPlain.toFixed(1)} MB`,
    );
    console.log(`  gateway+CRS peak RSS by step (MB): ${crsPeaks.describe()}`);
    console.log(
      `WAF audit log written during the benign load: ${auditAfter - auditBytes} bytes (0 = no rule fired)`,
    );
    console.log(`machine jitter after the load:  ${describeJitter(jitterAfter)}`);
    const machineP99 = Math.max(jitterBefore.p99Ms, jitterAfter.p99Ms);
    console.log(
      `  this machine's own p99 for ~1 ms of CPU: ${machineP99.toFixed(2)} ms ` +
        (machineP99 > 2 * Math.max(jitterBefore.taskMs, jitterAfter.taskMs)
          ? '(the machine stalls a bare compute loop by itself; every p99 here includes such stalls, see docs/waf.md)'
          : "(quiet: p99 latencies here are the servers' own)"),
    );
    console.log(`load average after: ${load()}`);
  } finally {
    for (const child of children) child.kill('SIGTERM');
    if (anchor) stopAnchor(ANCHOR_DIR, anchor);
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
