/**
 * Checking the audit ledger in the browser with standard web APIs only (WebCrypto SHA-256 and
 * Ed25519): a checkpoint note's signatures (C2SP signed note: the log's Ed25519 key, type 0x01,
 * and witnesses' `cosignature/v1`, type 0x04) and an entry's inclusion proof (RFC 9162 §2.1.3.2)
 * against the checkpoint's root hash. Nothing here trusts the server's word: it recomputes.
 *
 * @example
 * const note = parseNote(await (await fetch('/api/v1/ledger/checkpoint')).text());
 * const ok = await verifyInclusion(proof, note.rootHash);
 */

export interface ParsedNote {
  /** The signed text: every line up to the blank line, each ending in a newline. */
  text: string;
  origin: string;
  treeSize: number;
  rootHash: Uint8Array;
  signatures: { name: string; keyId: string; bytes: Uint8Array }[];
}

export interface NoteKey {
  name: string;
  /** 8 lowercase hex digits. */
  keyId: string;
  /** 0x01 Ed25519 note key, 0x04 cosignature/v1. */
  type: number;
  publicKey: Uint8Array;
}

export interface SignatureCheck {
  name: string;
  keyId: string;
  role: 'log' | 'witness' | 'unknown';
  valid: boolean;
  /** A cosignature's time, seconds since the epoch. */
  timestampSeconds?: number;
}

export function fromBase64(text: string): Uint8Array {
  const binary = atob(text);
  return Uint8Array.from(binary, (char) => char.charCodeAt(0));
}

export function toBase64(bytes: Uint8Array): string {
  return btoa(String.fromCharCode(...bytes));
}

function toHex(bytes: Uint8Array): string {
  return Array.from(bytes, (byte) => byte.toString(16).padStart(2, '0')).join('');
}

/** Splits a checkpoint note into its text, origin, size, root and signature lines; throws on a malformed note. */
export function parseNote(note: string): ParsedNote {
  const split = note.indexOf('\n\n');
  if (split < 0) throw new Error('the note has no blank line before its signatures');
  const text = note.slice(0, split + 1);
  const [origin, size, root] = text.split('\n');
  if (!origin || !size || !root || !/^(0|[1-9]\d*)$/.test(size))
    throw new Error('the note is not a checkpoint');
  const signatures = note
    .slice(split + 2)
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => {
      const match = /^\u2014 (\S+) (\S+)$/.exec(line);
      if (!match?.[1] || !match[2]) throw new Error('a signature line is malformed');
      const bytes = fromBase64(match[2]);
      return { name: match[1], keyId: toHex(bytes.subarray(0, 4)), bytes: bytes.subarray(4) };
    });
  return { text, origin, treeSize: Number(size), rootHash: fromBase64(root), signatures };
}

/** Reads a verifier key `<name>+<hex key id>+<base64(type byte || key)>`. */
export function parseKey(key: string): NoteKey {
  const first = key.indexOf('+');
  const second = key.indexOf('+', first + 1);
  if (first < 0 || second < 0) throw new Error('the key is not <name>+<key id>+<key>');
  const material = fromBase64(key.slice(second + 1));
  return {
    name: key.slice(0, first),
    keyId: key.slice(first + 1, second),
    type: material[0] ?? 0,
    publicKey: material.subarray(1),
  };
}

async function ed25519Verify(
  publicKey: Uint8Array,
  signature: Uint8Array,
  message: string,
): Promise<boolean> {
  // Copies: WebCrypto takes views over a plain ArrayBuffer, which `new Uint8Array(view)` guarantees.
  const key = await crypto.subtle.importKey('raw', new Uint8Array(publicKey), { name: 'Ed25519' }, false, [
    'verify',
  ]);
  return crypto.subtle.verify('Ed25519', key, new Uint8Array(signature), new TextEncoder().encode(message));
}

/** Checks every signature line whose key is known: the log's own (0x01) and witnesses' cosignatures (0x04). */
export async function checkSignatures(
  note: ParsedNote,
  logKeys: readonly string[],
  witnessKeys: readonly string[],
): Promise<SignatureCheck[]> {
  const known = [
    ...logKeys.map((key) => ({ role: 'log' as const, key: parseKey(key) })),
    ...witnessKeys.map((key) => ({ role: 'witness' as const, key: parseKey(key) })),
  ];
  const checks: SignatureCheck[] = [];
  for (const signature of note.signatures) {
    const match = known.find((k) => k.key.name === signature.name && k.key.keyId === signature.keyId);
    if (!match) {
      checks.push({ name: signature.name, keyId: signature.keyId, role: 'unknown', valid: false });
      continue;
    }
    const { key } = match;
    let valid = false;
    let timestampSeconds: number | undefined;
    try {
      if (key.type === 0x01) {
        valid = await ed25519Verify(key.publicKey, signature.bytes, note.text);
      } else if (key.type === 0x04 && signature.bytes.length === 72) {
        timestampSeconds = Number(
          new DataView(signature.bytes.buffer, signature.bytes.byteOffset).getBigUint64(0),
        );
        const message = `cosignature/v1\ntime ${timestampSeconds}\n${note.text}`;
        valid = await ed25519Verify(key.publicKey, signature.bytes.subarray(8), message);
      }
    } catch {
      valid = false;
    }
    checks.push({
      name: signature.name,
      keyId: signature.keyId,
      role: match.role,
      valid,
      ...(timestampSeconds !== undefined ? { timestampSeconds } : {}),
    });
  }
  return checks;
}

async function sha256(...parts: Uint8Array[]): Promise<Uint8Array> {
  const joined = new Uint8Array(parts.reduce((sum, part) => sum + part.length, 0));
  let offset = 0;
  for (const part of parts) {
    joined.set(part, offset);
    offset += part.length;
  }
  return new Uint8Array(await crypto.subtle.digest('SHA-256', joined));
}

const LEAF = Uint8Array.of(0);
const NODE = Uint8Array.of(1);

/** RFC 9162 leaf hash: SHA-256(0x00 || entry). */
export function leafHash(entry: string): Promise<Uint8Array> {
  return sha256(LEAF, new TextEncoder().encode(entry));
}

function equal(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((byte, i) => byte === b[i]);
}

export interface InclusionInput {
  index: number;
  treeSize: number;
  entry: string;
  hashes: string[];
}

export interface InclusionResult {
  /** The entry's recomputed leaf hash. */
  leafHash: string;
  /** The root the proof leads to. */
  computedRoot: string;
  valid: boolean;
}

/** RFC 9162 §2.1.3.2: walks the audit path from the recomputed leaf hash up to a root and compares it. */
export async function verifyInclusion(
  proof: InclusionInput,
  expectedRoot: Uint8Array,
): Promise<InclusionResult> {
  const leaf = await leafHash(proof.entry);
  const computed = await rootFromInclusionProof(
    leaf,
    proof.index,
    proof.treeSize,
    proof.hashes.map(fromBase64),
  );
  return {
    leafHash: toBase64(leaf),
    computedRoot: computed ? toBase64(computed) : '',
    valid: computed !== null && equal(computed, expectedRoot),
  };
}

/**
 * The root an inclusion proof leads to from a leaf hash (RFC 9162 §2.1.3.2), or null when it
 * cannot be a proof for that index and tree size (index out of range, too many or too few
 * hashes, a leaf or proof hash that is not 32 bytes).
 */
export async function rootFromInclusionProof(
  leaf: Uint8Array,
  index: number,
  treeSize: number,
  proof: readonly Uint8Array[],
): Promise<Uint8Array | null> {
  if (!Number.isSafeInteger(index) || index < 0 || index >= treeSize || leaf.length !== 32) return null;
  let fn = index;
  let sn = treeSize - 1;
  let hash = leaf;
  for (const sibling of proof) {
    if (sn === 0 || sibling.length !== 32) return null;
    if (fn % 2 === 1 || fn === sn) {
      hash = await sha256(NODE, sibling, hash);
      while (fn % 2 === 0 && fn !== 0) {
        fn = Math.floor(fn / 2);
        sn = Math.floor(sn / 2);
      }
    } else {
      hash = await sha256(NODE, hash, sibling);
    }
    fn = Math.floor(fn / 2);
    sn = Math.floor(sn / 2);
  }
  return sn === 0 ? hash : null;
}
