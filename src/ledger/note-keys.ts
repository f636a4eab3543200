/**
 * Ed25519 keys for C2SP signed notes (ledger, no I/O): key IDs, the verifier-key text
 * `<name>+<hex key id>+<base64(type || public key)>` partners are given, and the matching signer
 * key `PRIVATE+KEY+<name>+<hex key id>+<base64(type || seed)>` the log keeps secret. Two signature
 * types: 0x01 plain Ed25519 note signatures (the log's own) and 0x04 timestamped Ed25519
 * witness cosignatures (c2sp.org/tlog-cosignature, `cosignature/v1`).
 *
 * @example
 *   const { signerKey, verifierKey } = generateNoteKeyPair('shop.example/ledger');
 */
import {
  createHash,
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  sign,
  verify,
  type KeyObject,
} from 'node:crypto';
import { systemClock, type Clock } from '../core/clock.js';
import { EnsuresecError } from '../core/errors.js';
import { concatBytes, decodeBase64Strict, decodeHexStrict, encodeBase64, encodeHex } from './encoding.js';
import { parsed, rejected, type Parsed } from './result.js';

export type NoteSignatureType = 'ed25519' | 'cosignature/v1';

const TYPE_BYTES: Record<NoteSignatureType, number> = { ed25519: 0x01, 'cosignature/v1': 0x04 };
const ED25519_PUBLIC_KEY_BYTES = 32;
const ED25519_SIGNATURE_BYTES = 64;
const TIMESTAMP_BYTES = 8;
// DER headers that wrap a raw Ed25519 key for node:crypto (RFC 8410).
const SPKI_PREFIX = Uint8Array.from([0x30, 0x2a, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x03, 0x21, 0x00]);
const PKCS8_PREFIX = Uint8Array.from([
  0x30, 0x2e, 0x02, 0x01, 0x00, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x04, 0x22, 0x04, 0x20,
]);

interface NoteKey {
  name: string;
  keyId: number;
  type: NoteSignatureType;
  publicKey: Uint8Array;
}

export interface NoteVerifier extends NoteKey {
  /** Check a signature (the bytes after the key ID) over the note text; a cosignature yields its time. */
  verify(text: string, signature: Uint8Array): Parsed<{ timestampSeconds?: number }>;
}

export interface NoteSigner extends NoteKey {
  /** The signature bytes (without the key ID) over the note text. */
  sign(text: string): Uint8Array;
}

/** key ID = SHA-256(name || 0x0A || type || public key)[:4], big-endian (C2SP signed-note). */
export function noteKeyId(name: string, type: NoteSignatureType, publicKey: Uint8Array): number {
  const digest = createHash('sha256')
    .update(name, 'utf8')
    .update(Uint8Array.from([0x0a, TYPE_BYTES[type]]))
    .update(publicKey)
    .digest();
  return digest.readUInt32BE(0);
}

export function isValidKeyName(name: string): boolean {
  // \s covers Unicode spaces and the ASCII controls a key name could smuggle (tab, newline).
  return name.length > 0 && !/[\s+]/u.test(name) && ![...name].some((char) => char < ' ');
}

export function generateNoteKeyPair(
  name: string,
  type: NoteSignatureType = 'ed25519',
): { signerKey: string; verifierKey: string } {
  if (!isValidKeyName(name)) {
    throw new EnsuresecError('bad_request', {
      detail: `Key name "${name}" must be non-empty, without spaces or "+".`,
    });
  }
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  const raw = rawPublicKey(publicKey);
  const seed = privateKey.export({ format: 'der', type: 'pkcs8' }).subarray(PKCS8_PREFIX.byteLength);
  const keyId = hexKeyId(noteKeyId(name, type, raw));
  const typed = (bytes: Uint8Array) => encodeBase64(concatBytes(Uint8Array.of(TYPE_BYTES[type]), bytes));
  return {
    signerKey: `PRIVATE+KEY+${name}+${keyId}+${typed(seed)}`,
    verifierKey: `${name}+${keyId}+${typed(raw)}`,
  };
}

export function parseVerifierKey(verifierKey: unknown): Parsed<NoteVerifier> {
  if (typeof verifierKey !== 'string') return rejected('the verifier key is not text');
  const decoded = decodeKey(splitPlus(verifierKey.trim(), 3), 'verifier');
  if (!decoded.ok) return decoded;
  const { name, keyId, type, material } = decoded.value;
  if (material.byteLength !== ED25519_PUBLIC_KEY_BYTES)
    return rejected('the verifier key is not a 32-byte Ed25519 key');
  if (noteKeyId(name, type, material) !== keyId)
    return rejected('the verifier key ID does not match its key');
  let key: KeyObject;
  try {
    key = createPublicKey({
      key: Buffer.from(concatBytes(SPKI_PREFIX, material)),
      format: 'der',
      type: 'spki',
    });
  } catch {
    return rejected('the verifier key is not a valid Ed25519 public key');
  }
  const verifySignature = (message: Uint8Array, signature: Uint8Array): boolean => {
    try {
      return verify(null, message, key, signature);
    } catch {
      return false;
    }
  };
  return parsed({
    name,
    keyId,
    type,
    publicKey: material,
    verify: (text, signature) => {
      if (type === 'ed25519') {
        if (signature.byteLength !== ED25519_SIGNATURE_BYTES)
          return rejected(`${name}: not an Ed25519 signature`);
        return verifySignature(Buffer.from(text, 'utf8'), signature)
          ? parsed({})
          : rejected(`${name}: bad signature`);
      }
      if (signature.byteLength !== TIMESTAMP_BYTES + ED25519_SIGNATURE_BYTES) {
        return rejected(`${name}: not a timestamped Ed25519 cosignature`);
      }
      const timestamp = Buffer.from(signature.subarray(0, TIMESTAMP_BYTES)).readBigUInt64BE(0);
      if (timestamp > BigInt(Number.MAX_SAFE_INTEGER))
        return rejected(`${name}: the cosignature time is out of range`);
      const timestampSeconds = Number(timestamp);
      const message = Buffer.from(cosignedMessage(text, timestampSeconds), 'utf8');
      return verifySignature(message, signature.subarray(TIMESTAMP_BYTES))
        ? parsed({ timestampSeconds })
        : rejected(`${name}: bad cosignature`);
    },
  });
}

/** Parse a signer key; cosigners read their timestamps from `clock`. Throws `config_invalid`: keys are configuration. */
export function parseSignerKey(signerKey: string, options: { clock?: Clock } = {}): NoteSigner {
  const parts = splitPlus(signerKey.trim(), 5);
  const decoded =
    parts[0] === 'PRIVATE' && parts[1] === 'KEY' ? decodeKey(parts.slice(2), 'signer') : undefined;
  if (!decoded?.ok) {
    throw new EnsuresecError('config_invalid', {
      detail: `The ledger signer key is malformed${decoded ? `: ${decoded.reason}` : ''}; generate one with generateNoteKeyPair.`,
    });
  }
  const { name, keyId, type, material } = decoded.value;
  if (material.byteLength !== ED25519_PUBLIC_KEY_BYTES) {
    throw new EnsuresecError('config_invalid', {
      detail: 'The ledger signer key is not a 32-byte Ed25519 seed.',
    });
  }
  const privateKey = createPrivateKey({
    key: Buffer.from(concatBytes(PKCS8_PREFIX, material)),
    format: 'der',
    type: 'pkcs8',
  });
  const publicKey = rawPublicKey(createPublicKey(privateKey));
  if (noteKeyId(name, type, publicKey) !== keyId) {
    throw new EnsuresecError('config_invalid', {
      detail: 'The ledger signer key ID does not match its key.',
    });
  }
  const clock = options.clock ?? systemClock;
  return {
    name,
    keyId,
    type,
    publicKey,
    sign: (text) => {
      if (type === 'ed25519') return new Uint8Array(sign(null, Buffer.from(text, 'utf8'), privateKey));
      const timestampSeconds = Math.floor(clock.nowMs() / 1000);
      const timestamp = Buffer.alloc(TIMESTAMP_BYTES);
      timestamp.writeBigUInt64BE(BigInt(timestampSeconds));
      const signature = sign(null, Buffer.from(cosignedMessage(text, timestampSeconds), 'utf8'), privateKey);
      return concatBytes(timestamp, signature);
    },
  };
}

export function formatVerifierKey(key: NoteKey): string {
  return `${key.name}+${hexKeyId(key.keyId)}+${encodeBase64(concatBytes(Uint8Array.of(TYPE_BYTES[key.type]), key.publicKey))}`;
}

/** What a `cosignature/v1` signs: a header, the time, then the whole checkpoint text. */
function cosignedMessage(text: string, timestampSeconds: number): string {
  return `cosignature/v1\ntime ${timestampSeconds}\n${text}`;
}

function decodeKey(
  parts: string[],
  role: string,
): Parsed<{ name: string; keyId: number; type: NoteSignatureType; material: Uint8Array }> {
  const [name, keyIdHex, encoded] = parts;
  if (parts.length !== 3 || name === undefined || keyIdHex === undefined || encoded === undefined) {
    return rejected(`the ${role} key is not <name>+<key id>+<key>`);
  }
  if (!isValidKeyName(name)) return rejected(`the ${role} key name is empty or holds spaces`);
  const keyIdBytes = keyIdHex.length === 8 ? decodeHexStrict(keyIdHex) : undefined;
  if (!keyIdBytes) return rejected(`the ${role} key ID is not 8 lowercase hex digits`);
  const typed = decodeBase64Strict(encoded, 1024);
  if (!typed || typed.byteLength < 2) return rejected(`the ${role} key material is not base64`);
  const type = (Object.keys(TYPE_BYTES) as NoteSignatureType[]).find((t) => TYPE_BYTES[t] === typed[0]);
  if (!type) return rejected(`the ${role} key has an unsupported signature type ${String(typed[0])}`);
  return parsed({ name, keyId: Buffer.from(keyIdBytes).readUInt32BE(0), type, material: typed.subarray(1) });
}

/** Split at the first `fields - 1` plus signs only: the base64 key material may hold '+' itself. */
function splitPlus(text: string, fields: number): string[] {
  const parts: string[] = [];
  let rest = text;
  while (parts.length < fields - 1) {
    const at = rest.indexOf('+');
    if (at < 0) break;
    parts.push(rest.slice(0, at));
    rest = rest.slice(at + 1);
  }
  parts.push(rest);
  return parts;
}

function rawPublicKey(key: KeyObject): Uint8Array {
  return new Uint8Array(key.export({ format: 'der', type: 'spki' }).subarray(SPKI_PREFIX.byteLength));
}

function hexKeyId(keyId: number): string {
  const bytes = Buffer.alloc(4);
  bytes.writeUInt32BE(keyId);
  return encodeHex(bytes);
}
