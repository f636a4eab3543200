/**
 * Runs the real `ensuresec` command line in a child process: the TypeScript sources through tsx
 * by default, or the build in dist/ when ENSURESEC_TEST_CLI=dist (CI sets it: `npm ci` has just
 * built dist/, the artifact users run, and it starts in about half the CPU time).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

export const REPO_ROOT = join(import.meta.dirname, '../..');
const SOURCE_CLI = join(REPO_ROOT, 'src/cli/main.ts');
const BUILT_CLI = join(REPO_ROOT, 'dist/src/cli/main.js');

/** Node's arguments that start the CLI, before the CLI's own. */
export function cliEntry(): string[] {
  if (process.env['ENSURESEC_TEST_CLI'] !== 'dist') return ['--import', 'tsx', SOURCE_CLI];
  if (!existsSync(BUILT_CLI))
    throw new Error(`ENSURESEC_TEST_CLI=dist but ${BUILT_CLI} is missing: run npm run build`);
  return [BUILT_CLI];
}

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

export function runCli(
  args: string[],
  options: { env?: NodeJS.ProcessEnv; input?: string } = {},
): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...cliEntry(), ...args], {
      cwd: REPO_ROOT,
      env: { ...process.env, ENSURESEC_TOKEN: '', ENSURESEC_URL: '', ENSURESEC_DATA_DIR: '', ...options.env },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
    child.stdin.end(options.input ?? '');
  });
}

/** Starts `ensuresec <args>` as a long-running server and waits until it has written server.json. */
export async function spawnServer(
  args: string[],
  dataDir: string,
  env: NodeJS.ProcessEnv = {},
): Promise<{
  child: ChildProcess;
  info: { apiUrl: string; gatewayUrl: string | null };
  output: () => string;
}> {
  const child = spawn(process.execPath, [...cliEntry(), ...args, '--data-dir', dataDir], {
    cwd: REPO_ROOT,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const infoPath = join(dataDir, 'server.json');
  const started = Date.now();
  while (!existsSync(infoPath)) {
    if (child.exitCode !== null) throw new Error(`server exited early (${child.exitCode}): ${output}`);
    if (Date.now() - started > 20_000) {
      child.kill('SIGKILL');
      throw new Error(`server did not start in 20 s: ${output}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  const info = JSON.parse(readFileSync(infoPath, 'utf8')) as { apiUrl: string; gatewayUrl: string | null };
  return { child, info, output: () => output };
}
