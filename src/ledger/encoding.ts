/**
 * Strict byte encodings for the ledger's text formats (ledger, no I/O). Node's Buffer decoders
 * skip characters they do not understand; a checkpoint or key must decode to exactly one byte
 * string, so these helpers refuse anything but the canonical RFC 4648 §4 / lowercase-hex text.
 */

const BASE64_PATTERN = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;
const HEX_PATTERN = /^(?:[0-9a-f]{2})*$/;

/** @example decodeBase64Strict('AAEC') // Uint8Array [0, 1, 2]; decodeBase64Strict('AA E') // undefined */
export function decodeBase64Strict(text: string, maxBytes = 1 << 20): Uint8Array | undefined {
  if (text.length > Math.ceil(maxBytes / 3) * 4 || !BASE64_PATTERN.test(text)) return undefined;
  const bytes = Buffer.from(text, 'base64');
  // Non-zero padding bits decode to the same bytes as the canonical text; refuse the alias.
  if (bytes.toString('base64') !== text) return undefined;
  return new Uint8Array(bytes);
}

export function encodeBase64(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64');
}

export function decodeHexStrict(text: string): Uint8Array | undefined {
  if (!HEX_PATTERN.test(text)) return undefined;
  return new Uint8Array(Buffer.from(text, 'hex'));
}

export function encodeHex(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('hex');
}

export function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.byteLength !== b.byteLength) return false;
  for (let i = 0; i < a.byteLength; i++) if (a[i] !== b[i]) return false;
  return true;
}

export function concatBytes(...parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((sum, part) => sum + part.byteLength, 0));
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.byteLength;
  }
  return out;
}
