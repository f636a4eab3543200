/** Certificate keys on disk: a JWK per file, the private one written 0600 and never overwritten. */
import { chmodSync, readFileSync, writeFileSync } from 'node:fs';
import type { JWK } from 'jose';
import { EnsuresecError } from '../../core/errors.js';

export function readJwkFile(path: string): JWK {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (cause) {
    throw new EnsuresecError('scan_key_invalid', { detail: `Cannot read ${path}.`, cause });
  }
  try {
    const jwk = JSON.parse(text) as unknown;
    if (typeof jwk !== 'object' || jwk === null || Array.isArray(jwk)) throw new Error('not an object');
    return jwk as JWK;
  } catch (cause) {
    throw new EnsuresecError('scan_key_invalid', { detail: `${path} is not a JSON Web Key.`, cause });
  }
}

export function writeNewFile(path: string, text: string, mode: number): void {
  try {
    writeFileSync(path, text, { mode, flag: 'wx' });
    chmodSync(path, mode);
  } catch (error) {
    const exists = (error as NodeJS.ErrnoException).code === 'EEXIST';
    throw new EnsuresecError('bad_request', {
      detail: exists ? `${path} exists already; a key is never overwritten.` : `Cannot write ${path}.`,
      cause: error,
    });
  }
}
