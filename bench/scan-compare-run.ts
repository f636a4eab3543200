/**
 * Runs the two scanners for bench/scan-compare.ts, each as a child process with its own
 * report file: `ensuresec scan` (the built CLI, or the sources through tsx) and Wapiti 3
 * (Debian's package), fenced to loopback by bench/scan-compare-net.ts.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const BUILT_CLI = join(ROOT, 'dist/src/cli/main.js');

/** Wapiti's version line (`Wapiti 3.0.4`), or null when it is not installed. */
export function wapitiVersion(): string | null {
  const run = spawnSync('wapiti', ['--version'], { encoding: 'utf8', timeout: 30_000 });
  if (run.error || run.status !== 0) return null;
  const match = /Wapiti[- ]\d+\.\d+\.\d+/.exec(`${run.stdout}${run.stderr}`);
  return match ? match[0].replace('-', ' ') : 'Wapiti (unknown version)';
}

/**
 * How ensuresec is started: from the sources through tsx (like the demo shop, so both are the
 * working tree's), or `SCAN_COMPARE_CLI=dist` for the built CLI (`npm run build` first).
 */
export function ensuresecCommand(): { argv: string[]; label: string } {
  if (process.env['SCAN_COMPARE_CLI'] === 'dist' && existsSync(BUILT_CLI))
    return { argv: [BUILT_CLI], label: 'dist/src/cli/main.js (built)' };
  return { argv: ['--import', 'tsx', join(ROOT, 'src/cli/main.ts')], label: 'src/cli/main.ts (tsx)' };
}

export interface ChildRun {
  exitCode: number | null;
  /** Set when the hard wall-time cap stopped it. */
  killed: boolean;
  wallMs: number;
  /** The last lines of stdout and stderr, for a failed run's note. */
  tail: string;
}

/** Runs a command, stops it (by its own pid) after `capMs`. */
function run(command: string, args: string[], env: NodeJS.ProcessEnv, capMs: number): Promise<ChildRun> {
  return new Promise((resolve) => {
    const started = performance.now();
    const child = spawn(command, args, { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    const keep = (chunk: Buffer) => {
      output = (output + chunk.toString('utf8')).slice(-4000);
    };
    child.stdout.on('data', keep);
    child.stderr.on('data', keep);
    let killed = false;
    const timer = setTimeout(() => {
      killed = true;
      child.kill('SIGTERM');
    }, capMs);
    const done = (exitCode: number | null) => {
      clearTimeout(timer);
      const tail = output.trim().split('\n').slice(-6).join('\n');
      resolve({ exitCode, killed, wallMs: performance.now() - started, tail });
    };
    child.once('error', (error) => {
      output += `\n${error.message}`;
      done(null);
    });
    child.once('close', (code) => done(code));
  });
}

/** The parts of an ensuresec JSON report (`ensuresec-scan-report/v1`) the comparison reads. */
export interface EnsuresecFinding {
  checkId: string;
  attackClass: string;
  title: string;
  severity: string;
  cwe?: string;
  url: string;
  method?: string;
  parameter?: string;
}
export interface EnsuresecReport {
  tool: { name: string; version: string };
  durationMs: number;
  requests: { sent: number };
  findings: EnsuresecFinding[];
}

export interface EnsuresecOptions {
  loginRecipe?: string;
  browser?: boolean;
  capMs: number;
}

export async function runEnsuresec(
  target: string,
  options: EnsuresecOptions,
): Promise<{ run: ChildRun; report: EnsuresecReport | null }> {
  const dir = mkdtempSync(join(tmpdir(), 'scan-compare-ensuresec-'));
  const out = join(dir, 'report.json');
  try {
    const args = [
      ...ensuresecCommand().argv,
      'scan',
      target,
      '--active',
      '--i-am-authorised',
      '--format',
      'json',
      '--out',
      out,
      '--no-progress',
    ];
    if (options.loginRecipe) args.push('--login-recipe', options.loginRecipe);
    if (options.browser) args.push('--browser');
    const result = await run(process.execPath, args, process.env, options.capMs);
    const report = existsSync(out) ? (JSON.parse(readFileSync(out, 'utf8')) as EnsuresecReport) : null;
    return { run: result, report };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** One entry of Wapiti's JSON report (`vulnerabilities` and `anomalies` sections). */
export interface WapitiEntry {
  method: string;
  path: string;
  info: string;
  level: number;
  parameter: string;
}
export interface WapitiReport {
  vulnerabilities: Record<string, WapitiEntry[]>;
  anomalies: Record<string, WapitiEntry[]>;
  infos: { version?: string };
}

export interface WapitiOptions {
  modules: readonly string[];
  /** The loopback-only proxy every Wapiti request goes through. */
  proxyUrl: string;
  /** The stand-in for Wapiti's SSRF endpoint. */
  endpointUrl: string;
  crawlSeconds: number;
  moduleSeconds: number;
  capMs: number;
}

/** Proxy settings a child could inherit and use to bypass `-p` (no_proxy) or leave by (https_proxy). */
const PROXY_ENV = /^(https?|all|no|ftp)_proxy$/i;

export async function runWapiti(
  target: string,
  options: WapitiOptions,
): Promise<{ run: ChildRun; report: WapitiReport | null }> {
  const dir = mkdtempSync(join(tmpdir(), 'scan-compare-wapiti-'));
  const out = join(dir, 'report.json');
  const env: NodeJS.ProcessEnv = { ...process.env, HOME: dir };
  for (const name of Object.keys(env)) if (PROXY_ENV.test(name)) delete env[name];
  try {
    const args = [
      '-u',
      target,
      '--scope',
      'folder',
      '--flush-session',
      '-m',
      options.modules.join(','),
      '-f',
      'json',
      '-o',
      out,
      '-p',
      options.proxyUrl,
      '--endpoint',
      options.endpointUrl,
      '--no-bugreport',
      '--store-session',
      join(dir, 'session'),
      '--store-config',
      join(dir, 'config'),
      '--max-scan-time',
      String(options.crawlSeconds),
      '--max-attack-time',
      String(options.moduleSeconds),
      '-v',
      '1',
    ];
    const result = await run('wapiti', args, env, options.capMs);
    const report = existsSync(out) ? (JSON.parse(readFileSync(out, 'utf8')) as WapitiReport) : null;
    return { run: result, report };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
