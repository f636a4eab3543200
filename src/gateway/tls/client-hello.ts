/**
 * A defensive reader of the TLS ClientHello (gateway, TLS front): takes the first bytes a client
 * sends on a TLS connection, gathers the handshake message from one or more TLS records, and
 * pulls out what fingerprinting needs (versions, cipher suites, extensions, SNI, ALPN, signature
 * algorithms). The bytes come from anyone on the internet: every length is checked against what
 * is left, the total is bounded, and nothing here throws on bad input; it answers `invalid`.
 *
 * @example
 * const read = readClientHello(firstBytes);
 * if (read.status === 'ok') console.log(read.hello.serverName, read.hello.cipherSuites.length);
 */

/** The largest ClientHello handshake message we wait for (post-quantum key shares and tickets fit). */
export const MAX_CLIENT_HELLO_BYTES = 32 * 1024;
/** TLS records are at most 2^14 bytes of plaintext (RFC 8446 §5.1). */
const MAX_RECORD_BYTES = 16_384;
/** Clients send the ClientHello in one record, two with large post-quantum key shares; many tiny ones is an attack on the parser. */
const MAX_RECORDS = 8;
const RECORD_HANDSHAKE = 0x16;
const HANDSHAKE_CLIENT_HELLO = 0x01;

export const EXT_SERVER_NAME = 0x0000;
export const EXT_ALPN = 0x0010;
export const EXT_SIGNATURE_ALGORITHMS = 0x000d;
export const EXT_SUPPORTED_VERSIONS = 0x002b;

export interface ClientHello {
  /** legacy_version of the ClientHello body (not the record's). */
  legacyVersion: number;
  /** Wire order, GREASE included (fingerprints drop it). */
  cipherSuites: number[];
  /** Extension types in wire order, GREASE included. */
  extensions: number[];
  /** supported_versions (0x002b) when present. */
  supportedVersions: number[] | null;
  /** The first host_name of server_name (0x0000); null without SNI, '' when present but empty. */
  serverName: string | null;
  /** The first ALPN protocol's bytes; null when there is none. */
  firstAlpn: Buffer | null;
  /** signature_algorithms (0x000d) in wire order. */
  signatureAlgorithms: number[];
  /** Bytes of the TLS records that carried the ClientHello (what to hand on to the TLS stack). */
  recordBytes: number;
}

export type ClientHelloRead =
  | { status: 'ok'; hello: ClientHello }
  /** `atLeastBytes`: the answer cannot change before this many bytes are buffered. */
  | { status: 'incomplete'; atLeastBytes: number }
  | { status: 'invalid'; reason: string };

const incomplete = (atLeastBytes: number): ClientHelloRead => ({ status: 'incomplete', atLeastBytes });
const invalid = (reason: string): ClientHelloRead => ({ status: 'invalid', reason });

/**
 * Reads the ClientHello at the start of `bytes` (the TLS records as received). `incomplete` asks
 * for more bytes and says how many at least, so a caller fed byte by byte parses once per
 * record, not once per byte; the caller bounds how long and how much it waits
 * (MAX_CLIENT_HELLO_BYTES).
 */
export function readClientHello(bytes: Buffer): ClientHelloRead {
  // Gather the handshake fragments of consecutive handshake records.
  const fragments: Buffer[] = [];
  let gathered = 0;
  let offset = 0;
  let needed = -1;
  while (needed < 0 || gathered < needed) {
    if (fragments.length >= MAX_RECORDS) return invalid('ClientHello spread over too many records');
    if (bytes.length - offset < 5) return incomplete(offset + 5);
    if (bytes[offset] !== RECORD_HANDSHAKE) return invalid('not a handshake record');
    if (bytes[offset + 1] !== 0x03) return invalid('not a TLS record version');
    const length = bytes.readUInt16BE(offset + 3);
    if (length === 0 || length > MAX_RECORD_BYTES) return invalid('bad record length');
    if (bytes.length - offset - 5 < length) return incomplete(offset + 5 + length);
    fragments.push(bytes.subarray(offset + 5, offset + 5 + length));
    gathered += length;
    offset += 5 + length;
    if (needed < 0 && gathered >= 4) {
      const head = fragments.length === 1 ? (fragments[0] as Buffer) : Buffer.concat(fragments, gathered);
      if (head[0] !== HANDSHAKE_CLIENT_HELLO) return invalid('first handshake message is not a ClientHello');
      needed = 4 + head.readUIntBE(1, 3);
      if (needed > MAX_CLIENT_HELLO_BYTES) return invalid('ClientHello too large');
    }
  }
  const message = fragments.length === 1 ? (fragments[0] as Buffer) : Buffer.concat(fragments, gathered);
  const parsed = parseClientHelloBody(message.subarray(4, needed));
  if (typeof parsed === 'string') return invalid(parsed);
  parsed.recordBytes = offset;
  return { status: 'ok', hello: parsed };
}

/** A bounds-checked cursor over a buffer; every read says whether it fit. */
class Cursor {
  offset = 0;
  constructor(readonly bytes: Buffer) {}
  get left(): number {
    return this.bytes.length - this.offset;
  }
  u8(): number {
    if (this.left < 1) return -1;
    return this.bytes[this.offset++] as number;
  }
  u16(): number {
    if (this.left < 2) return -1;
    const value = this.bytes.readUInt16BE(this.offset);
    this.offset += 2;
    return value;
  }
  take(length: number): Buffer | null {
    if (length < 0 || this.left < length) return null;
    const slice = this.bytes.subarray(this.offset, this.offset + length);
    this.offset += length;
    return slice;
  }
}

function u16List(bytes: Buffer): number[] {
  const list: number[] = [];
  for (let i = 0; i + 1 < bytes.length; i += 2) list.push(bytes.readUInt16BE(i));
  return list;
}

function parseClientHelloBody(body: Buffer): ClientHello | string {
  const cursor = new Cursor(body);
  const legacyVersion = cursor.u16();
  if (legacyVersion < 0 || cursor.take(32) === null) return 'truncated before the session id';
  const sessionIdLength = cursor.u8();
  if (sessionIdLength > 32 || cursor.take(sessionIdLength) === null) return 'bad session id';
  const cipherLength = cursor.u16();
  const ciphers = cursor.take(cipherLength);
  if (ciphers === null || cipherLength % 2 !== 0) return 'bad cipher suites';
  const compressionLength = cursor.u8();
  if (compressionLength < 1 || cursor.take(compressionLength) === null) return 'bad compression methods';
  const hello: ClientHello = {
    legacyVersion,
    cipherSuites: u16List(ciphers),
    extensions: [],
    supportedVersions: null,
    serverName: null,
    firstAlpn: null,
    signatureAlgorithms: [],
    recordBytes: 0,
  };
  // Extensions are optional before TLS 1.3 (RFC 5246 §7.4.1.2).
  if (cursor.left === 0) return hello;
  const extensionsLength = cursor.u16();
  const extensions = cursor.take(extensionsLength);
  if (extensions === null) return 'bad extensions length';
  const list = new Cursor(extensions);
  while (list.left > 0) {
    const type = list.u16();
    const length = list.u16();
    const data = list.take(length);
    if (type < 0 || data === null) return 'truncated extension';
    hello.extensions.push(type);
    readExtension(hello, type, data);
  }
  return hello;
}

/** Fills what fingerprinting needs from one extension; a malformed one is counted but read as empty. */
function readExtension(hello: ClientHello, type: number, data: Buffer): void {
  const cursor = new Cursor(data);
  if (type === EXT_SERVER_NAME) {
    hello.serverName = '';
    const names = cursor.take(cursor.u16());
    if (names === null) return;
    const entries = new Cursor(names);
    while (entries.left > 0) {
      const nameType = entries.u8();
      const name = entries.take(entries.u16());
      if (nameType < 0 || name === null) return;
      if (nameType === 0) {
        hello.serverName = name.toString('latin1');
        return;
      }
    }
  } else if (type === EXT_ALPN) {
    const protocols = cursor.take(cursor.u16());
    if (protocols === null || protocols.length === 0) return;
    const first = new Cursor(protocols);
    hello.firstAlpn = first.take(first.u8());
  } else if (type === EXT_SUPPORTED_VERSIONS) {
    const versions = cursor.take(cursor.u8());
    hello.supportedVersions = versions === null ? [] : u16List(versions);
  } else if (type === EXT_SIGNATURE_ALGORITHMS) {
    const algorithms = cursor.take(cursor.u16());
    if (algorithms !== null) hello.signatureAlgorithms = u16List(algorithms);
  }
}
