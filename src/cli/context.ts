/**
 * What every command needs: the global options, the configuration, the data directory
 * and, for commands that talk to a running server, an API client with a token found in
 * ENSURESEC_TOKEN or in the data directory (the local admin's `cli-token`).
 */
import type { Command } from 'commander';
import { EnsuresecError } from '../core/errors.js';
import { ApiClient } from '../api/client.js';
import { loadConfig, type LoadedConfig } from '../server/config/load.js';
import { readCliToken, readServerInfo, resolveDataDir } from '../server/data-dir.js';
import { createOutput, type Output } from './output.js';

export interface GlobalOptions {
  dataDir?: string;
  config?: string;
  json?: boolean;
  url?: string;
}

export interface CommandContext {
  options: GlobalOptions;
  output: Output;
  loadConfig(): LoadedConfig;
  dataDir(): string;
  client(): ApiClient;
}

export function contextOf(command: Command): CommandContext {
  const options = command.optsWithGlobals<GlobalOptions>();
  let loaded: LoadedConfig | undefined;
  const config = () => (loaded ??= loadConfig(options.config));
  const dataDir = () => resolveDataDir(options.dataDir, config().config.dataDir);
  return {
    options,
    output: createOutput(Boolean(options.json)),
    loadConfig: config,
    dataDir,
    client() {
      const dir = dataDir();
      const baseUrl =
        options.url ||
        process.env['ENSURESEC_URL'] ||
        readServerInfo(dir)?.apiUrl ||
        `http://127.0.0.1:${config().config.api.port}`;
      const token = process.env['ENSURESEC_TOKEN'] || readCliToken(dir);
      if (!token) {
        throw new EnsuresecError('unauthenticated', {
          detail: `No token: set ENSURESEC_TOKEN, or run this on the server's machine with --data-dir ${dir}.`,
        });
      }
      return new ApiClient({ baseUrl, token });
    },
  };
}
