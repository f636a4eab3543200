/**
 * Files the ledger commands read (cli): verifier-key files (one key per line, `#` comments, as
 * `<dataDir>/ledger-log.pub` is written), checkpoint notes and proof documents. A file that is
 * missing or malformed is a clear `bad_request`, never a stack trace.
 */
import { readFileSync } from 'node:fs';
import type { ApiClient } from '../../../api/client.js';
import { EnsuresecError } from '../../../core/errors.js';
import {
  checkpointOfNote,
  parseVerifierKey,
  verifyCheckpoint,
  type VerifiedCheckpoint,
} from '../../../ledger/index.js';

export function readTextFile(path: string, what: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (error) {
    throw new EnsuresecError('bad_request', { detail: `Cannot read the ${what} ${path}.`, cause: error });
  }
}

/** Every verifier key in the file (the log's current and previous keys, or witnesses' keys). */
export function readVerifierKeys(path: string): string[] {
  const keys = readTextFile(path, 'key file')
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#'));
  if (keys.length === 0)
    throw new EnsuresecError('bad_request', { detail: `${path} holds no verifier key.` });
  for (const key of keys) {
    const parsed = parseVerifierKey(key);
    if (!parsed.ok) {
      throw new EnsuresecError('bad_request', {
        detail: `${path} holds a line that is not a verifier key: ${parsed.reason}.`,
      });
    }
  }
  return keys;
}

export function readJsonFile(path: string, what: string): unknown {
  try {
    return JSON.parse(readTextFile(path, what));
  } catch (error) {
    if (error instanceof EnsuresecError) throw error;
    throw new EnsuresecError('bad_request', { detail: `The ${what} ${path} is not JSON.`, cause: error });
  }
}

export function verificationFailed(reason: string): EnsuresecError {
  return new EnsuresecError('ledger_verification_failed', { detail: `${reason}.` });
}

export interface WitnessTrust {
  witnessKeys?: readonly string[];
  minCosignatures?: number;
}

/** `--witness-key FILE` and `--min-cosignatures N` as checkpoint trust. */
export function witnessTrustOf(flags: { witnessKey?: string; minCosignatures?: string }): WitnessTrust {
  const trust: WitnessTrust = {};
  if (flags.witnessKey) trust.witnessKeys = readVerifierKeys(flags.witnessKey);
  if (flags.minCosignatures !== undefined) {
    const count = Number(flags.minCosignatures);
    if (!Number.isSafeInteger(count) || count < 0) {
      throw new EnsuresecError('bad_request', { detail: '--min-cosignatures must be a whole number ≥ 0.' });
    }
    trust.minCosignatures = count;
  }
  return trust;
}

/** The checkpoint verified with whichever of the log's keys signed it, and that key; throws when none did. */
export function verifyWithAnyKey(
  note: string,
  logKeys: readonly string[],
  witnesses: WitnessTrust = {},
): { checkpoint: VerifiedCheckpoint; logKey: string } {
  const reasons: string[] = [];
  for (const logKey of logKeys) {
    const verified = verifyCheckpoint(note, { logKey, ...witnesses });
    if (verified.ok) return { checkpoint: verified.value, logKey };
    reasons.push(verified.reason);
  }
  throw verificationFailed(`The checkpoint does not verify with the log key: ${reasons.join('; ')}`);
}

/** The signed checkpoint note of exactly `treeSize` entries (the latest one when it has that size). */
export async function checkpointOfSize(client: ApiClient, treeSize: number | undefined): Promise<string> {
  const latest = await client.ledger.checkpoint();
  const latestCheckpoint = checkpointOfNote(latest);
  if (treeSize === undefined || (latestCheckpoint.ok && latestCheckpoint.value.treeSize === treeSize)) {
    return latest;
  }
  const [item] = (await client.ledger.checkpoints({ cursor: String(treeSize), limit: 1 })).items;
  if (!item || item.treeSize !== treeSize) {
    throw new EnsuresecError('ledger_checkpoint_unknown', {
      detail: `The log signed no checkpoint of size ${treeSize} to verify against; use the size of a checkpoint.`,
    });
  }
  return item.note;
}

/** `--index 3` and friends: a whole number ≥ 0, else a clear error naming the option. */
export function wholeNumber(value: string | undefined, option: string): number | undefined {
  if (value === undefined) return undefined;
  const number = Number(value);
  if (!/^[0-9]+$/.test(value) || !Number.isSafeInteger(number)) {
    throw new EnsuresecError('bad_request', {
      detail: `${option} must be a whole number ≥ 0, not "${value}".`,
    });
  }
  return number;
}
