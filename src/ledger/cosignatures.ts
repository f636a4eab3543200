/**
 * Witness cosignatures on the log's side (ledger, no I/O): decides whether a cosigned
 * checkpoint a witness submits is acceptable (it is one of ours, our signature holds, and a
 * trusted witness key made a valid `cosignature/v1` on it), extracts the signature lines to
 * keep, and puts kept lines back on the checkpoint note when it is served.
 *
 * @example
 *   const outcome = checkCosignedCheckpoint(submitted, storedNote, { logKeys, witnessKeys });
 *   if (outcome.ok) for (const c of outcome.value.cosignatures) store(c.signatureLine);
 */
import { concatBytes, encodeBase64, encodeHex } from './encoding.js';
import { parseCheckpoint, type Checkpoint } from './checkpoint.js';
import { parseVerifierKey, type NoteVerifier } from './note-keys.js';
import { parsed, rejected, type Parsed } from './result.js';
import { parseNote, verifyNote, type NoteSignature } from './signed-note.js';

export interface AcceptedCosignature {
  /** `<key name>+<hex key id>`: one cosignature per witness key and checkpoint is kept. */
  witness: string;
  /** `— <name> <base64(key id || timestamp || signature)>`, without its newline. */
  signatureLine: string;
  timestampSeconds: number;
}

export interface CosignatureTrust {
  /** The log's verifier keys (current and, during a rotation, previous). */
  logKeys: readonly string[];
  /** The configured witnesses' verifier keys. */
  witnessKeys: readonly string[];
}

/** The checkpoint a note carries, for finding the stored one of the same size. */
export function checkpointOfNote(note: unknown): Parsed<Checkpoint> {
  const parsedNote = parseNote(note);
  return parsedNote.ok ? parseCheckpoint(parsedNote.value.text) : parsedNote;
}

/**
 * Check a submitted cosigned checkpoint against the note this log signed at the same size
 * (`storedNote`). Never throws: every refusal comes back with its reason.
 */
export function checkCosignedCheckpoint(
  submitted: unknown,
  storedNote: string,
  trust: CosignatureTrust,
): Parsed<{ checkpoint: Checkpoint; cosignatures: AcceptedCosignature[] }> {
  const note = parseNote(submitted);
  if (!note.ok) return note;
  const stored = parseNote(storedNote);
  if (!stored.ok) return rejected(`the stored checkpoint is unreadable: ${stored.reason}`);
  if (note.value.text !== stored.value.text) {
    return rejected('the checkpoint text differs from the one this log signed at that size');
  }
  const checkpoint = parseCheckpoint(note.value.text);
  if (!checkpoint.ok) return checkpoint;
  const logKeys = verifiersOf(trust.logKeys);
  const witnessKeys = verifiersOf(trust.witnessKeys).filter((key) => key.type === 'cosignature/v1');
  if (witnessKeys.length === 0)
    return rejected('this log trusts no witness keys (ledger.witnesses is empty)');
  const verified = verifyNote(submitted, [...logKeys, ...witnessKeys]);
  if (!verified.ok) return verified;
  const isKey = (keys: NoteVerifier[], s: { name: string; keyId: number }) =>
    keys.some((key) => key.name === s.name && key.keyId === s.keyId);
  if (!verified.value.verified.some((s) => isKey(logKeys, s))) {
    return rejected("the note does not carry this log's signature");
  }
  const cosignatures: AcceptedCosignature[] = [];
  for (const signature of verified.value.verified) {
    if (!isKey(witnessKeys, signature) || signature.timestampSeconds === undefined) continue;
    const raw = note.value.signatures.find((s) => s.name === signature.name && s.keyId === signature.keyId);
    if (!raw) continue;
    cosignatures.push({
      witness: witnessId(signature.name, signature.keyId),
      signatureLine: signatureLineOf(raw),
      timestampSeconds: signature.timestampSeconds,
    });
  }
  if (cosignatures.length === 0) {
    return rejected('the note has no cosignature/v1 by a witness key in ledger.witnesses');
  }
  return parsed({ checkpoint: checkpoint.value, cosignatures });
}

/** The note with the kept cosignature lines added after its own signatures (none twice). */
export function withCosignatures(note: string, signatureLines: readonly string[]): string {
  const present = new Set(note.split('\n'));
  const added = signatureLines.filter((line) => !present.has(line));
  return added.length === 0 ? note : `${note}${added.map((line) => `${line}\n`).join('')}`;
}

export function witnessId(name: string, keyId: number): string {
  const bytes = Buffer.alloc(4);
  bytes.writeUInt32BE(keyId);
  return `${name}+${encodeHex(bytes)}`;
}

function signatureLineOf(signature: NoteSignature): string {
  const keyId = Buffer.alloc(4);
  keyId.writeUInt32BE(signature.keyId);
  return `\u2014 ${signature.name} ${encodeBase64(concatBytes(keyId, signature.signature))}`;
}

function verifiersOf(keys: readonly string[]): NoteVerifier[] {
  return keys.flatMap((key) => {
    const verifier = parseVerifierKey(key);
    return verifier.ok ? [verifier.value] : [];
  });
}
