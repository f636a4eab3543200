/**
 * The ledger's keys and start (composition root). The log's Ed25519 signer key lives in
 * `<dataDir>/secrets/ledger-log.key` (mode 0600, never logged); every verifier key the log has
 * used is listed, oldest first, in `<dataDir>/ledger-log.pub` (public: give it to partners).
 *
 * Rotation keeps the origin and records the change in the log: stop Ensuresec, rename
 * `ledger-log.key` to `ledger-log.previous.key`, start. A new key with the same origin is made,
 * a `ledger.key_changed` entry is appended, and checkpoints carry both signatures until you
 * delete `ledger-log.previous.key`.
 */
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { hostname } from 'node:os';
import { join } from 'node:path';
import type { Logger } from 'pino';
import type { Clock } from '../core/clock.js';
import { EnsuresecError } from '../core/errors.js';
import { ulid } from '../core/ids.js';
import {
  canonicalJson,
  formatVerifierKey,
  generateNoteKeyPair,
  Ledger,
  parseSignerKey,
  type NoteSigner,
} from '../ledger/index.js';
import type { Store } from '../store/store.js';
import type { EnsuresecConfig } from './config/schema.js';

const SECRETS_DIR = 'secrets';
const LOG_KEY_FILE = 'ledger-log.key';
const PREVIOUS_LOG_KEY_FILE = 'ledger-log.previous.key';
const VERIFIER_KEYS_FILE = 'ledger-log.pub';
const CONFIG_DIGEST_SETTING = 'ledger.configSha256';

/** `ensuresec.local/<host name>`, reduced to what a note key name may hold. */
export function defaultLedgerOrigin(host: string = hostname()): string {
  const name = host.replace(/[^A-Za-z0-9.-]/g, '-').slice(0, 200) || 'localhost';
  return `ensuresec.local/${name}`;
}

function readSigner(path: string, clock: Clock): NoteSigner {
  try {
    return parseSignerKey(readFileSync(path, 'utf8').trim(), { clock });
  } catch (error) {
    throw new EnsuresecError('config_invalid', {
      detail: `${path} does not hold a ledger signer key (PRIVATE+KEY+…); restore it from a backup.`,
      cause: error,
    });
  }
}

/** Every verifier key listed in `<dataDir>/ledger-log.pub` (empty when there is none yet). */
export function readLedgerVerifierKeys(dataDir: string): string[] {
  const path = join(dataDir, VERIFIER_KEYS_FILE);
  if (!existsSync(path)) return [];
  return readFileSync(path, 'utf8')
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#'));
}

function rememberVerifierKey(dataDir: string, verifierKey: string): void {
  const known = readLedgerVerifierKeys(dataDir);
  if (known.includes(verifierKey)) return;
  const lines = ['# Verifier keys of this Ensuresec ledger, oldest first; the last one is current.'];
  writeFileSync(join(dataDir, VERIFIER_KEYS_FILE), [...lines, ...known, verifierKey].join('\n') + '\n', {
    mode: 0o644,
  });
}

/**
 * The log's signers, current first: made on first start (origin `ledger.origin`, else
 * `ensuresec.local/<host>`), made anew with the previous key's origin after a rotation.
 */
export function loadLedgerSigners(dataDir: string, origin: string | undefined, clock: Clock): NoteSigner[] {
  const dir = join(dataDir, SECRETS_DIR);
  const currentPath = join(dir, LOG_KEY_FILE);
  const previousPath = join(dir, PREVIOUS_LOG_KEY_FILE);
  const previous = existsSync(previousPath) ? readSigner(previousPath, clock) : undefined;
  if (!existsSync(currentPath)) {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    const name = previous?.name ?? origin ?? defaultLedgerOrigin();
    const { signerKey } = generateNoteKeyPair(name);
    try {
      writeFileSync(currentPath, signerKey + '\n', { mode: 0o600, flag: 'wx' });
      chmodSync(currentPath, 0o600);
    } catch (error) {
      // Another process on this data directory made it a moment ago: use theirs.
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
  }
  const current = readSigner(currentPath, clock);
  if (origin !== undefined && current.name !== origin) {
    throw new EnsuresecError('config_invalid', {
      detail: `ledger.origin is "${origin}" but the log key in ${currentPath} is for "${current.name}"; a log keeps its origin for life (remove ledger.origin, or start a new data directory).`,
    });
  }
  if (previous && previous.name !== current.name) {
    throw new EnsuresecError('config_invalid', {
      detail: `${previousPath} is for "${previous.name}", the current log key for "${current.name}"; a rotation keeps the origin.`,
    });
  }
  if (previous) rememberVerifierKey(dataDir, formatVerifierKey(previous));
  rememberVerifierKey(dataDir, formatVerifierKey(current));
  return previous ? [current, previous] : [current];
}

export interface StartLedgerOptions {
  store: Store;
  dataDir: string;
  config: EnsuresecConfig;
  pseudonymisationKey: Buffer;
  clock: Clock;
  logger: Logger;
}

/** Opens the Ledger service with the log keys and logs the configuration when it changed since the last start. */
export async function startLedger(options: StartLedgerOptions): Promise<Ledger> {
  const { store, dataDir, config, clock, logger } = options;
  const ledger = await Ledger.open({
    store,
    pseudonymisationKey: options.pseudonymisationKey,
    clock,
    signers: loadLedgerSigners(dataDir, config.ledger.origin, clock),
    checkpointIntervalMs: config.ledger.checkpointInterval,
    witnessKeys: config.ledger.witnesses.map((witness) => witness.key),
    logger: logger.child({ component: 'ledger' }),
  });
  try {
    await recordConfigChange(ledger, config, clock);
  } catch (error) {
    await ledger.close();
    throw error;
  }
  return ledger;
}

async function recordConfigChange(ledger: Ledger, config: EnsuresecConfig, clock: Clock): Promise<void> {
  // Secrets are references (env:NAME, file:/path), so the configuration holds none to leak.
  const plain = JSON.parse(JSON.stringify(config)) as unknown;
  const sha256 = createHash('sha256').update(canonicalJson(plain)).digest('hex');
  await ledger.commit({
    kind: 'config.changed',
    actor: 'system',
    write: async (tx) => {
      if ((await tx.kv.get<string>(CONFIG_DIGEST_SETTING)) === sha256) return undefined;
      await tx.kv.set(CONFIG_DIGEST_SETTING, sha256);
      return { id: `cfg_${ulid(clock.nowMs())}`, sha256, config: plain };
    },
  });
}
