/**
 * The RC4, 3DES and DES cipher suites that an OpenSSL 3 without weak SSL ciphers (Node 20's,
 * Debian's) cannot offer, probed the way testssl.sh and sslscan do: a hand-built TLS 1.2
 * ClientHello offering only those suites, and the server's first answer read from the wire.
 * A ServerHello names the suite the server picked (it accepts it); a handshake_failure or
 * insufficient_security alert means none is accepted; anything else is inconclusive. No
 * handshake is completed and nothing is decrypted.
 *
 * @example await probeLegacySuites('127.0.0.1', 443, null, 10_000) // { outcome: 'refused' }
 */
import { randomBytes } from 'node:crypto';
import { connect } from 'node:net';

/** IANA code → OpenSSL name of the suites offered. */
export const LEGACY_SUITES: ReadonlyMap<number, string> = new Map([
  [0xc012, 'ECDHE-RSA-DES-CBC3-SHA'],
  [0xc008, 'ECDHE-ECDSA-DES-CBC3-SHA'],
  [0x0016, 'EDH-RSA-DES-CBC3-SHA'],
  [0x000a, 'DES-CBC3-SHA'],
  [0xc011, 'ECDHE-RSA-RC4-SHA'],
  [0xc007, 'ECDHE-ECDSA-RC4-SHA'],
  [0x0005, 'RC4-SHA'],
  [0x0004, 'RC4-MD5'],
  [0x0015, 'EDH-RSA-DES-CBC-SHA'],
  [0x0009, 'DES-CBC-SHA'],
]);

export type LegacyProbe =
  | { outcome: 'accepted'; suite: string }
  | { outcome: 'refused' }
  | { outcome: 'inconclusive'; reason: string };

const u16 = (n: number) => Buffer.from([(n >> 8) & 0xff, n & 0xff]);
const u24 = (n: number) => Buffer.from([(n >> 16) & 0xff, (n >> 8) & 0xff, n & 0xff]);
const withU16Length = (body: Buffer) => Buffer.concat([u16(body.length), body]);
const extension = (type: number, data: Buffer) => Buffer.concat([u16(type), withU16Length(data)]);

/** A TLS 1.2 ClientHello record offering only LEGACY_SUITES; SNI when `servername` is a DNS name. */
export function legacyClientHello(servername: string | null): Buffer {
  const suites = Buffer.concat([...LEGACY_SUITES.keys()].map(u16));
  const sigAlgs = Buffer.concat([0x0401, 0x0403, 0x0501, 0x0503, 0x0804, 0x0201, 0x0203].map(u16));
  const extensions = Buffer.concat([
    ...(servername
      ? [
          extension(
            0x0000,
            withU16Length(Buffer.concat([Buffer.from([0]), withU16Length(Buffer.from(servername, 'ascii'))])),
          ),
        ]
      : []),
    extension(0x000a, withU16Length(Buffer.concat([0x001d, 0x0017, 0x0018].map(u16)))), // supported groups
    extension(0x000b, Buffer.from([1, 0])), // EC point formats: uncompressed
    extension(0x000d, withU16Length(sigAlgs)),
    extension(0xff01, Buffer.from([0])), // renegotiation_info, empty
  ]);
  const hello = Buffer.concat([
    u16(0x0303),
    randomBytes(32),
    Buffer.from([0]), // no session id
    withU16Length(suites),
    Buffer.from([1, 0]), // compression: null only
    withU16Length(extensions),
  ]);
  const handshake = Buffer.concat([Buffer.from([1]), u24(hello.length), hello]);
  return Buffer.concat([Buffer.from([0x16, 0x03, 0x01]), withU16Length(handshake)]);
}

/** What the server's first bytes say: the suite of a ServerHello, an alert, or not enough yet (null). */
export function readServerAnswer(data: Buffer): LegacyProbe | null {
  if (data.length < 5) return null;
  const type = data[0];
  if (type === 0x15) {
    if (data.length < 7) return null;
    // handshake_failure (40) or insufficient_security (71): no suite in common. Any other
    // alert (decode_error, protocol_version…) says nothing about the suites.
    const description = data[6] ?? 0;
    return description === 40 || description === 71
      ? { outcome: 'refused' }
      : { outcome: 'inconclusive', reason: `the server answered with TLS alert ${description}` };
  }
  if (type !== 0x16) return { outcome: 'inconclusive', reason: `not a TLS answer (record type ${type})` };
  if (data.length < 9) return null;
  if (data[5] !== 2)
    return { outcome: 'inconclusive', reason: `the first handshake message is type ${data[5]}` };
  const sessionIdLength = data[5 + 4 + 2 + 32];
  if (sessionIdLength === undefined) return null;
  const at = 5 + 4 + 2 + 32 + 1 + sessionIdLength;
  if (data.length < at + 2) return null;
  const suite = data.readUInt16BE(at);
  const name = LEGACY_SUITES.get(suite);
  return name
    ? { outcome: 'accepted', suite: name }
    : {
        outcome: 'inconclusive',
        reason: `the server picked suite 0x${suite.toString(16)}, which was not offered`,
      };
}

/** Sends the legacy ClientHello to host:port and reads the answer (never more than 16 KiB). */
export function probeLegacySuites(
  host: string,
  port: number,
  servername: string | null,
  timeoutMs: number,
): Promise<LegacyProbe> {
  return new Promise((resolve) => {
    let received = Buffer.alloc(0);
    let done = false;
    const finish = (result: LegacyProbe) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      socket.destroy();
      resolve(result);
    };
    const socket = connect({ host, port }, () => socket.write(legacyClientHello(servername)));
    const timer = setTimeout(
      () => finish({ outcome: 'inconclusive', reason: 'no answer in time' }),
      timeoutMs,
    );
    socket.on('data', (chunk: Buffer) => {
      received = Buffer.concat([received, chunk]).subarray(0, 16_384);
      const answer = readServerAnswer(received);
      if (answer) finish(answer);
      else if (received.length >= 16_384) finish({ outcome: 'inconclusive', reason: 'unreadable answer' });
    });
    socket.on('error', (error) => finish({ outcome: 'inconclusive', reason: error.message }));
    socket.on('close', () =>
      finish({ outcome: 'inconclusive', reason: 'the server closed the connection without an answer' }),
    );
  });
}
