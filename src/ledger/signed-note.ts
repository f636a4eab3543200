/**
 * C2SP signed notes (ledger, no I/O): a text ending in a newline, a blank line, then one line
 * per signature, `— <key name> base64(key ID || signature)`. Checkpoints and witness
 * cosignatures travel in this envelope. Parsing is strict and never throws: a malformed note is
 * rejected with a reason.
 *
 * @example
 *   const note = signNote('hello\n', [signer]);
 *   verifyNote(note, [verifier]) // { ok: true, value: { text: 'hello\n', verified: [...] } }
 */
import { EnsuresecError } from '../core/errors.js';
import { concatBytes, decodeBase64Strict, encodeBase64 } from './encoding.js';
import { isValidKeyName, type NoteSignatureType, type NoteSigner, type NoteVerifier } from './note-keys.js';
import { parsed, rejected, type Parsed } from './result.js';

/** Checkpoints are a few hundred bytes; the cap keeps hostile input cheap to refuse. */
export const MAX_NOTE_BYTES = 64 * 1024;
/** The spec asks verifiers to accept at least 16. */
export const MAX_NOTE_SIGNATURES = 100;

const SIGNATURE_LINE = /^\u2014 (\S+) (\S+)$/u;

export interface NoteSignature {
  name: string;
  keyId: number;
  /** The signature bytes after the 4-byte key ID. */
  signature: Uint8Array;
}

export interface ParsedNote {
  text: string;
  signatures: NoteSignature[];
}

export interface VerifiedSignature {
  name: string;
  keyId: number;
  type: NoteSignatureType;
  timestampSeconds?: number;
}

export interface VerifiedNote {
  text: string;
  verified: VerifiedSignature[];
}

export function parseNote(note: unknown): Parsed<ParsedNote> {
  const decoded = decodeNote(note);
  if (!decoded.ok) return decoded;
  const whole = decoded.value;
  const separator = whole.lastIndexOf('\n\n');
  if (separator < 0) return rejected('the note has no blank line before its signatures');
  const text = whole.slice(0, separator + 1);
  const block = whole.slice(separator + 2);
  if (!block.endsWith('\n')) return rejected('the note does not end with a newline after its last signature');
  const lines = block.slice(0, -1).split('\n');
  if (lines.length > MAX_NOTE_SIGNATURES)
    return rejected(`the note has more than ${MAX_NOTE_SIGNATURES} signatures`);
  const signatures: NoteSignature[] = [];
  for (const line of lines) {
    const match = SIGNATURE_LINE.exec(line);
    const name = match?.[1];
    const encoded = match?.[2];
    if (!name || !encoded) return rejected('a signature line is not "— <name> <base64>"');
    if (!isValidKeyName(name)) return rejected(`the signature key name "${name}" is invalid`);
    const bytes = decodeBase64Strict(encoded, MAX_NOTE_BYTES);
    if (!bytes || bytes.byteLength < 5)
      return rejected(`the signature by ${name} is not base64 of key ID and signature`);
    signatures.push({
      name,
      keyId: Buffer.from(bytes.subarray(0, 4)).readUInt32BE(0),
      signature: bytes.subarray(4),
    });
  }
  return parsed({ text, signatures });
}

/**
 * Verify a note against known keys. Signatures by unknown keys are ignored (that is how witness
 * cosignatures and key rotation coexist); a failing signature by a known key rejects the whole
 * note; at least one known signature must verify.
 */
export function verifyNote(note: unknown, verifiers: readonly NoteVerifier[]): Parsed<VerifiedNote> {
  const result = parseNote(note);
  if (!result.ok) return result;
  const { text, signatures } = result.value;
  const verified: VerifiedSignature[] = [];
  for (const signature of signatures) {
    const verifier = verifiers.find((v) => v.name === signature.name && v.keyId === signature.keyId);
    if (!verifier) continue;
    const outcome = verifier.verify(text, signature.signature);
    if (!outcome.ok) return rejected(`the note has a failing signature: ${outcome.reason}`);
    const entry: VerifiedSignature = { name: verifier.name, keyId: verifier.keyId, type: verifier.type };
    if (outcome.value.timestampSeconds !== undefined) entry.timestampSeconds = outcome.value.timestampSeconds;
    verified.push(entry);
  }
  if (verified.length === 0) return rejected('no signature in the note is by a known key');
  return parsed({ text, verified });
}

/** Sign a note text (ours, so a bad one is a programming error and throws `bad_request`). */
export function signNote(text: string, signers: readonly NoteSigner[]): string {
  const problem = checkText(text);
  if (problem) throw new EnsuresecError('bad_request', { detail: `Cannot sign the note: ${problem}.` });
  return `${text}\n${signers.map((signer) => signatureLine(text, signer)).join('')}`;
}

/** Append signatures (a witness's cosignature) to an existing note, keeping its own lines. */
export function addNoteSignatures(note: string, signers: readonly NoteSigner[]): Parsed<string> {
  const result = parseNote(note);
  if (!result.ok) return result;
  if (result.value.signatures.length + signers.length > MAX_NOTE_SIGNATURES)
    return rejected('too many signatures');
  return parsed(`${note}${signers.map((signer) => signatureLine(result.value.text, signer)).join('')}`);
}

function signatureLine(text: string, signer: NoteSigner): string {
  const keyId = Buffer.alloc(4);
  keyId.writeUInt32BE(signer.keyId);
  return `\u2014 ${signer.name} ${encodeBase64(concatBytes(keyId, signer.sign(text)))}\n`;
}

function decodeNote(note: unknown): Parsed<string> {
  let text: string;
  if (typeof note === 'string') {
    text = note;
  } else if (note instanceof Uint8Array) {
    if (note.byteLength > MAX_NOTE_BYTES) return rejected(`the note is larger than ${MAX_NOTE_BYTES} bytes`);
    try {
      text = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(note);
    } catch {
      return rejected('the note is not valid UTF-8');
    }
  } else {
    return rejected('the note is not text');
  }
  if (Buffer.byteLength(text, 'utf8') > MAX_NOTE_BYTES)
    return rejected(`the note is larger than ${MAX_NOTE_BYTES} bytes`);
  const problem = checkText(text);
  return problem ? rejected(`the note ${problem}`) : parsed(text);
}

function checkText(text: string): string | undefined {
  if (text.length === 0 || !text.endsWith('\n')) return 'text must end with a newline';
  if ([...text].some((char) => char < ' ' && char !== '\n'))
    return 'holds a control character other than newline';
  // A lone surrogate has no UTF-8 form: it would not survive the round trip.
  if (Buffer.from(text, 'utf8').toString('utf8') !== text) return 'holds a lone UTF-16 surrogate';
  return undefined;
}
