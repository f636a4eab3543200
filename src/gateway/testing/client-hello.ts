/**
 * Builds TLS ClientHello records from their fields (tests only): the published JA4 examples give
 * the fields, not the bytes, and the fuzz tests need valid records to mutate.
 */

export interface ClientHelloFields {
  legacyVersion?: number;
  serverName?: string | null;
  alpn?: string[];
  supportedVersions?: number[];
  cipherSuites: number[];
  /** Extension types in order; the ones below get their real data, the others empty data. */
  extensions: number[];
  signatureAlgorithms?: number[];
  /** Split the handshake message over records of at most this many bytes. */
  recordSize?: number;
}

const u16 = (value: number): Buffer => Buffer.from([(value >> 8) & 0xff, value & 0xff]);
const withU16Length = (data: Buffer): Buffer => Buffer.concat([u16(data.length), data]);
const withU8Length = (data: Buffer): Buffer => Buffer.concat([Buffer.from([data.length]), data]);
const u16s = (values: number[]): Buffer => Buffer.concat(values.map(u16));

function extensionData(type: number, fields: ClientHelloFields): Buffer {
  switch (type) {
    case 0x0000: {
      const name = Buffer.from(fields.serverName ?? '', 'latin1');
      return withU16Length(Buffer.concat([Buffer.from([0]), withU16Length(name)]));
    }
    case 0x0010:
      return withU16Length(
        Buffer.concat((fields.alpn ?? []).map((p) => withU8Length(Buffer.from(p, 'latin1')))),
      );
    case 0x002b:
      return withU8Length(u16s(fields.supportedVersions ?? []));
    case 0x000d:
      return withU16Length(u16s(fields.signatureAlgorithms ?? []));
    default:
      return Buffer.alloc(0);
  }
}

/** The handshake message (type 1, 24-bit length, body). */
export function clientHelloMessage(fields: ClientHelloFields): Buffer {
  const extensions = Buffer.concat(
    fields.extensions.map((type) => Buffer.concat([u16(type), withU16Length(extensionData(type, fields))])),
  );
  const body = Buffer.concat([
    u16(fields.legacyVersion ?? 0x0303),
    Buffer.alloc(32, 7),
    withU8Length(Buffer.alloc(32, 9)),
    withU16Length(u16s(fields.cipherSuites)),
    Buffer.from([1, 0]),
    withU16Length(extensions),
  ]);
  return Buffer.concat([
    Buffer.from([1, (body.length >> 16) & 0xff, (body.length >> 8) & 0xff, body.length & 0xff]),
    body,
  ]);
}

/** The ClientHello as it travels: one or more handshake records. */
export function clientHelloRecords(fields: ClientHelloFields): Buffer {
  const message = clientHelloMessage(fields);
  const size = fields.recordSize ?? 16_384;
  const records: Buffer[] = [];
  for (let offset = 0; offset < message.length; offset += size) {
    const fragment = message.subarray(offset, offset + size);
    records.push(Buffer.from([0x16, 0x03, 0x01]), u16(fragment.length), fragment);
  }
  return Buffer.concat(records);
}
