/**
 * C2SP tlog-checkpoints (ledger, no I/O): the signed statement "the log with this origin had this
 * many entries and this root hash". The body is three lines (origin, decimal tree size, base64
 * root hash) plus optional extension lines, inside a signed note: the log signs with a plain
 * Ed25519 note key (type 0x01); witnesses add `cosignature/v1` timestamped cosignatures (0x04).
 *
 * @example
 *   const note = signCheckpoint({ origin: 'shop.example/ledger', treeSize: 8, rootHash }, logSigner);
 *   const result = verifyCheckpoint(note, { logKey: 'shop.example/ledger+1a2b3c4d+AU…' });
 */
import { EnsuresecError } from '../core/errors.js';
import { decodeBase64Strict, encodeBase64 } from './encoding.js';
import { HASH_SIZE_BYTES } from './hash.js';
import { parseVerifierKey, type NoteSigner, type NoteVerifier } from './note-keys.js';
import { parsed, rejected, type Parsed } from './result.js';
import { addNoteSignatures, signNote, verifyNote, type VerifiedSignature } from './signed-note.js';

export interface Checkpoint {
  origin: string;
  treeSize: number;
  rootHash: Uint8Array;
  /** Opaque non-empty lines after the root hash; C2SP advises against them. */
  extensions?: string[];
}

export interface VerifiedCheckpoint {
  checkpoint: Checkpoint;
  /** The note text the signatures cover: what a witness stores as "last seen". */
  text: string;
  logSignature: VerifiedSignature;
  cosignatures: VerifiedSignature[];
}

export interface CheckpointTrust {
  /** The log's verifier key (text or parsed). */
  logKey: string | NoteVerifier;
  /** Witness verifier keys; their signatures are checked when present. */
  witnessKeys?: readonly (string | NoteVerifier)[];
  /** Refuse the checkpoint unless at least this many witness keys cosigned it (default 0). */
  minCosignatures?: number;
  /** Refuse a checkpoint of another log (defaults to the log key's name). */
  origin?: string;
}

const TREE_SIZE_PATTERN = /^(?:0|[1-9][0-9]*)$/;

export function formatCheckpoint(checkpoint: Checkpoint): string {
  const { origin, treeSize, rootHash, extensions = [] } = checkpoint;
  const problem =
    (origin.length === 0 || origin.includes('\n') ? 'the origin must be one non-empty line' : undefined) ??
    (!Number.isSafeInteger(treeSize) || treeSize < 0
      ? 'the tree size must be a non-negative integer'
      : undefined) ??
    (rootHash.byteLength !== HASH_SIZE_BYTES ? 'the root hash must be 32 bytes' : undefined) ??
    (extensions.some((line) => line.length === 0 || line.includes('\n'))
      ? 'extension lines must be non-empty'
      : undefined);
  if (problem)
    throw new EnsuresecError('bad_request', { detail: `Cannot format the checkpoint: ${problem}.` });
  return [origin, String(treeSize), encodeBase64(rootHash), ...extensions]
    .map((line) => `${line}\n`)
    .join('');
}

export function parseCheckpoint(text: string): Parsed<Checkpoint> {
  if (!text.endsWith('\n')) return rejected('the checkpoint does not end with a newline');
  const lines = text.slice(0, -1).split('\n');
  const [origin, size, root, ...extensions] = lines;
  if (origin === undefined || size === undefined || root === undefined) {
    return rejected('the checkpoint has fewer than three lines');
  }
  if (origin.length === 0) return rejected('the checkpoint origin is empty');
  if (!TREE_SIZE_PATTERN.test(size) || !Number.isSafeInteger(Number(size))) {
    return rejected('the checkpoint tree size is not a decimal number without leading zeros');
  }
  const rootHash = decodeBase64Strict(root, HASH_SIZE_BYTES);
  if (!rootHash || rootHash.byteLength !== HASH_SIZE_BYTES)
    return rejected('the checkpoint root is not a base64 32-byte hash');
  if (extensions.some((line) => line.length === 0))
    return rejected('the checkpoint has an empty extension line');
  const checkpoint: Checkpoint = { origin, treeSize: Number(size), rootHash };
  if (extensions.length > 0) checkpoint.extensions = extensions;
  return parsed(checkpoint);
}

/** The log's signed checkpoint note. */
export function signCheckpoint(checkpoint: Checkpoint, logSigner: NoteSigner): string {
  return signNote(formatCheckpoint(checkpoint), [logSigner]);
}

/**
 * Add a witness's cosignature to a checkpoint note. The witness must first have verified the
 * log's signature and a consistency proof from the last checkpoint it cosigned.
 */
export function cosignCheckpoint(note: string, cosigner: NoteSigner): Parsed<string> {
  return addNoteSignatures(note, [cosigner]);
}

/** Verify the log's signature, any known witnesses' cosignatures, and the checkpoint body. */
export function verifyCheckpoint(note: unknown, trust: CheckpointTrust): Parsed<VerifiedCheckpoint> {
  const logKey = toVerifier(trust.logKey, 'log key');
  if (!logKey.ok) return logKey;
  const witnesses: NoteVerifier[] = [];
  for (const key of trust.witnessKeys ?? []) {
    const witness = toVerifier(key, 'witness key');
    if (!witness.ok) return witness;
    witnesses.push(witness.value);
  }
  const result = verifyNote(note, [logKey.value, ...witnesses]);
  if (!result.ok) return result;
  const isLog = (s: VerifiedSignature) => s.name === logKey.value.name && s.keyId === logKey.value.keyId;
  const logSignature = result.value.verified.find(isLog);
  if (!logSignature) return rejected('the checkpoint is not signed by the log key');
  const checkpoint = parseCheckpoint(result.value.text);
  if (!checkpoint.ok) return checkpoint;
  const origin = trust.origin ?? logKey.value.name;
  if (checkpoint.value.origin !== origin) {
    return rejected(`the checkpoint is for origin "${checkpoint.value.origin}", not "${origin}"`);
  }
  const cosignatures = result.value.verified.filter((s) => !isLog(s));
  const distinctWitnesses = new Set(cosignatures.map((s) => `${s.name}+${s.keyId}`)).size;
  if (distinctWitnesses < (trust.minCosignatures ?? 0)) {
    return rejected(
      `the checkpoint has ${distinctWitnesses} witness cosignatures, ${trust.minCosignatures} needed`,
    );
  }
  return parsed({ checkpoint: checkpoint.value, text: result.value.text, logSignature, cosignatures });
}

function toVerifier(key: string | NoteVerifier, role: string): Parsed<NoteVerifier> {
  if (typeof key !== 'string') return parsed(key);
  const result = parseVerifierKey(key);
  return result.ok ? result : rejected(`the ${role} is invalid: ${result.reason}`);
}
