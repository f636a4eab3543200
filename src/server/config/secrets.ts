/**
 * The secret store: secrets come from the environment (`env:NAME`) or files (`file:/path`),
 * and the keys Ensuresec makes itself live in `<dataDir>/secrets/` with mode 0600.
 * Secret values are never logged; `redactConfig` gives the configuration as it may be printed.
 */
import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { EnsuresecError } from '../../core/errors.js';

export function resolveSecret(
  reference: string | undefined,
  env: NodeJS.ProcessEnv = process.env,
): string | undefined {
  if (!reference) return undefined;
  if (reference.startsWith('env:')) {
    const value = env[reference.slice(4)];
    return value === undefined || value === '' ? undefined : value;
  }
  if (reference.startsWith('file:')) {
    const path = reference.slice(5);
    try {
      return readFileSync(path, 'utf8').trim();
    } catch (error) {
      throw new EnsuresecError('config_invalid', {
        detail: `The secret file ${path} cannot be read: ${(error as NodeJS.ErrnoException).code ?? 'error'}`,
      });
    }
  }
  throw new EnsuresecError('config_invalid', {
    detail: 'A secret reference must be env:NAME or file:/path.',
  });
}

/** A 32-byte key kept in `<dataDir>/secrets/<name>.key`, made on first use. */
export function loadOrCreateKey(dataDir: string, name: string): Buffer {
  const dir = join(dataDir, 'secrets');
  const path = join(dir, `${name}.key`);
  if (existsSync(path)) {
    const key = Buffer.from(readFileSync(path, 'utf8').trim(), 'base64url');
    if (key.length >= 32) return key;
    throw new EnsuresecError('config_invalid', {
      detail: `${path} does not hold a 32-byte key; remove it to make a new one.`,
    });
  }
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const key = randomBytes(32);
  writeFileSync(path, key.toString('base64url') + '\n', { mode: 0o600, flag: 'wx' });
  chmodSync(path, 0o600);
  return key;
}

/** The pseudonymisation key: from the configured reference, else made and kept in the data directory. */
export function pseudonymisationKey(dataDir: string, reference: string | undefined): Buffer {
  const configured = resolveSecret(reference);
  if (configured !== undefined) {
    const key = Buffer.from(configured, 'utf8');
    if (key.length < 32) {
      throw new EnsuresecError('config_invalid', {
        detail: 'secrets.pseudonymisationKey must be at least 32 characters long.',
      });
    }
    return key;
  }
  return loadOrCreateKey(dataDir, 'pseudonymisation');
}
