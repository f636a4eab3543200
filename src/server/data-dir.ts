/**
 * The data directory: where state lives (SQLite database, generated keys, the local CLI
 * token, the running server's address). Chosen by `--data-dir`, else ENSURESEC_DATA_DIR,
 * else `dataDir` in ensuresec.yaml, else `./.ensuresec`.
 */
import { accessSync, constants, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { EnsuresecError } from '../core/errors.js';

export const DEFAULT_DATA_DIR = '.ensuresec';

export function resolveDataDir(
  flag: string | undefined,
  configured: string | undefined,
  env = process.env,
): string {
  // An empty variable counts as unset.
  return resolve(flag || env['ENSURESEC_DATA_DIR'] || configured || DEFAULT_DATA_DIR);
}

/** Creates the directory if needed and proves it writable, or throws data_dir_unwritable. */
export function ensureWritableDataDir(dir: string): void {
  try {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    accessSync(dir, constants.W_OK);
    const probe = join(dir, `.write-probe-${process.pid}`);
    writeFileSync(probe, 'ok');
    rmSync(probe);
  } catch (error) {
    throw new EnsuresecError('data_dir_unwritable', {
      detail: `${dir}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}. Choose another with --data-dir or ENSURESEC_DATA_DIR.`,
      cause: error,
    });
  }
}

/** What a running server leaves for the CLI: its API address and process id. */
export interface ServerInfo {
  apiUrl: string;
  gatewayUrl: string | null;
  pid: number;
  startedAt: string;
}

const SERVER_INFO_FILE = 'server.json';
const CLI_TOKEN_FILE = 'cli-token';

export function writeServerInfo(dir: string, info: ServerInfo): void {
  writeFileSync(join(dir, SERVER_INFO_FILE), JSON.stringify(info, null, 2) + '\n', { mode: 0o600 });
}

export function readServerInfo(dir: string): ServerInfo | undefined {
  try {
    return JSON.parse(readFileSync(join(dir, SERVER_INFO_FILE), 'utf8')) as ServerInfo;
  } catch {
    return undefined;
  }
}

export function removeServerInfo(dir: string): void {
  rmSync(join(dir, SERVER_INFO_FILE), { force: true });
}

export function writeCliToken(dir: string, token: string): void {
  writeFileSync(join(dir, CLI_TOKEN_FILE), token + '\n', { mode: 0o600 });
}

export function readCliToken(dir: string): string | undefined {
  try {
    return readFileSync(join(dir, CLI_TOKEN_FILE), 'utf8').trim() || undefined;
  } catch {
    return undefined;
  }
}
