/**
 * A NetFlow v5 / v9 / IPFIX encoder for tests, the benchmark and the demo (ingest, flow
 * source, testing): it writes datagrams the way exporters do, including options templates,
 * enterprise-specific fields, variable-length fields, template withdrawals and padding, so
 * the decoder can be checked field by field. Not used by the collector itself.
 *
 * @example
 * const datagram = encodeV9({ sysUptimeMs: 60_000, unixSecs: 1_700_000_000, sequence: 1, sourceId: 0, sets: [
 *   { templates: [{ id: 256, fields: V9_FLOW_FIELDS }] },
 *   { data: { templateId: 256, fields: V9_FLOW_FIELDS, records: [['10.0.0.1', '10.0.0.2', 443, 51000, 6, 0x12, 3, 180, 59_000, 59_500]] } },
 * ]});
 */

export interface EncodedField {
  id: number;
  /** Octets; 0xffff for an IPFIX variable-length field. */
  length: number;
  /** Private Enterprise Number (IPFIX only); absent or 0 for IANA elements. */
  enterprise?: number;
}

/** A number or bigint (unsigned, big-endian), an IPv4/IPv6 address, text or raw bytes. */
export type FieldValue = number | bigint | string | Buffer;

export interface TemplateSpec {
  id: number;
  fields: EncodedField[];
  /** Options templates: the scope fields, written before `fields`. */
  scopeFields?: EncodedField[];
}

export interface DataSpec {
  templateId: number;
  /** The template's fields in order (scope fields first for options data). */
  fields: EncodedField[];
  records: FieldValue[][];
}

export type SetSpec =
  | { templates: TemplateSpec[] }
  | { optionsTemplates: TemplateSpec[] }
  | { data: DataSpec }
  /** IPFIX only: withdraw these template ids (2 or 3 withdraws all data or options templates). */
  | { withdraw: number[]; options?: boolean }
  /** Bytes as they are: a set with a bad length, garbage. */
  | { raw: Buffer };

/** Writes an IPv6 address (with `::` and an optional dotted tail) as 16 octets. */
function ipv6Bytes(text: string): Buffer {
  const [head = '', tail] = text.split('::');
  const groups = (part: string | undefined): number[] =>
    part === undefined || part === ''
      ? []
      : part.split(':').flatMap((group) => {
          if (!group.includes('.')) return [parseInt(group, 16)];
          const octets = group.split('.').map(Number);
          return [(octets[0]! << 8) | octets[1]!, (octets[2]! << 8) | octets[3]!];
        });
  const left = groups(head);
  const right = groups(tail);
  const all =
    tail === undefined ? left : [...left, ...Array(8 - left.length - right.length).fill(0), ...right];
  const out = Buffer.alloc(16);
  all.forEach((group, i) => out.writeUInt16BE(group & 0xffff, 2 * i));
  return out;
}

function valueBytes(value: FieldValue, length: number): Buffer {
  if (Buffer.isBuffer(value)) return value;
  if (typeof value === 'string') {
    if (length === 4 && /^\d+\.\d+\.\d+\.\d+$/.test(value)) return Buffer.from(value.split('.').map(Number));
    if (length === 16 && value.includes(':')) return ipv6Bytes(value);
    return Buffer.from(value, 'utf8');
  }
  let big = BigInt(value);
  const out = Buffer.alloc(length === 0xffff ? 8 : length);
  for (let i = out.length - 1; i >= 0; i--) {
    out[i] = Number(big & 0xffn);
    big >>= 8n;
  }
  return out;
}

function encodeRecord(fields: EncodedField[], values: FieldValue[]): Buffer[] {
  return fields.map((field, i) => {
    const bytes = valueBytes(values[i] ?? 0, field.length);
    if (field.length !== 0xffff) {
      const fixed = Buffer.alloc(field.length);
      bytes.copy(fixed, 0, 0, Math.min(bytes.length, field.length));
      return fixed;
    }
    const prefix =
      bytes.length < 255
        ? Buffer.from([bytes.length])
        : Buffer.from([255, bytes.length >> 8, bytes.length & 0xff]);
    return Buffer.concat([prefix, bytes]);
  });
}

function fieldSpecifiers(fields: EncodedField[], ipfix: boolean): Buffer[] {
  return fields.map((field) => {
    const enterprise = ipfix ? (field.enterprise ?? 0) : 0;
    const out = Buffer.alloc(enterprise ? 8 : 4);
    out.writeUInt16BE(enterprise ? field.id | 0x8000 : field.id, 0);
    out.writeUInt16BE(field.length, 2);
    if (enterprise) out.writeUInt32BE(enterprise, 4);
    return out;
  });
}

function u16(value: number): Buffer {
  const out = Buffer.alloc(2);
  out.writeUInt16BE(value & 0xffff);
  return out;
}

/** A set: id, length, body padded to four octets (RFC 3954 §5.3; RFC 7011 allows it). */
function wrapSet(id: number, body: Buffer[]): Buffer {
  const content = Buffer.concat(body);
  const padding = (4 - ((content.length + 4) % 4)) % 4;
  return Buffer.concat([u16(id), u16(content.length + 4 + padding), content, Buffer.alloc(padding)]);
}

function encodeSet(set: SetSpec, ipfix: boolean): Buffer {
  if ('raw' in set) return set.raw;
  if ('templates' in set) {
    return wrapSet(
      ipfix ? 2 : 0,
      set.templates.flatMap((t) => [u16(t.id), u16(t.fields.length), ...fieldSpecifiers(t.fields, ipfix)]),
    );
  }
  if ('optionsTemplates' in set) {
    return wrapSet(
      ipfix ? 3 : 1,
      set.optionsTemplates.flatMap((t) => {
        const scope = t.scopeFields ?? [];
        const header = ipfix
          ? [u16(t.id), u16(scope.length + t.fields.length), u16(scope.length)]
          : [u16(t.id), u16(scope.length * 4), u16(t.fields.length * 4)];
        return [...header, ...fieldSpecifiers(scope, ipfix), ...fieldSpecifiers(t.fields, ipfix)];
      }),
    );
  }
  if ('withdraw' in set)
    return wrapSet(
      set.options ? 3 : 2,
      set.withdraw.flatMap((id) => [u16(id), u16(0)]),
    );
  return wrapSet(
    set.data.templateId,
    set.data.records.flatMap((values) => encodeRecord(set.data.fields, values)),
  );
}

export interface V9Header {
  sysUptimeMs: number;
  unixSecs: number;
  sequence: number;
  sourceId: number;
  sets: SetSpec[];
  /** The header's record count; default: the number of records and templates written. */
  count?: number;
}

export function encodeV9(header: V9Header): Buffer {
  const count =
    header.count ??
    header.sets.reduce(
      (n, set) =>
        n +
        ('data' in set
          ? set.data.records.length
          : 'templates' in set
            ? set.templates.length
            : 'optionsTemplates' in set
              ? set.optionsTemplates.length
              : 0),
      0,
    );
  const head = Buffer.alloc(20);
  head.writeUInt16BE(9, 0);
  head.writeUInt16BE(count & 0xffff, 2);
  head.writeUInt32BE(header.sysUptimeMs >>> 0, 4);
  head.writeUInt32BE(header.unixSecs >>> 0, 8);
  head.writeUInt32BE(header.sequence >>> 0, 12);
  head.writeUInt32BE(header.sourceId >>> 0, 16);
  return Buffer.concat([head, ...header.sets.map((set) => encodeSet(set, false))]);
}

export interface IpfixHeader {
  exportSecs: number;
  sequence: number;
  domainId: number;
  sets: SetSpec[];
  /** The header's length field; default: the true length. */
  length?: number;
}

export function encodeIpfix(header: IpfixHeader): Buffer {
  const body = Buffer.concat(header.sets.map((set) => encodeSet(set, true)));
  const head = Buffer.alloc(16);
  head.writeUInt16BE(10, 0);
  head.writeUInt16BE((header.length ?? body.length + 16) & 0xffff, 2);
  head.writeUInt32BE(header.exportSecs >>> 0, 4);
  head.writeUInt32BE(header.sequence >>> 0, 8);
  head.writeUInt32BE(header.domainId >>> 0, 12);
  return Buffer.concat([head, body]);
}

export interface V5Record {
  srcIp: string;
  dstIp: string;
  srcPort: number;
  dstPort: number;
  protocol: number;
  tcpFlags?: number;
  packets: number;
  bytes: number;
  /** sysUptime at the first and last packet, ms. */
  firstMs: number;
  lastMs: number;
}

export interface V5Header {
  sysUptimeMs: number;
  unixSecs: number;
  unixNsecs?: number;
  sequence: number;
  engineType?: number;
  engineId?: number;
  /** 1 in N; written with sampling mode 1 (deterministic) when above 1. */
  samplingInterval?: number;
  records: V5Record[];
  /** The header's count; default: records.length. */
  count?: number;
}

export function encodeV5(header: V5Header): Buffer {
  const out = Buffer.alloc(24 + 48 * header.records.length);
  out.writeUInt16BE(5, 0);
  out.writeUInt16BE(header.count ?? header.records.length, 2);
  out.writeUInt32BE(header.sysUptimeMs >>> 0, 4);
  out.writeUInt32BE(header.unixSecs >>> 0, 8);
  out.writeUInt32BE((header.unixNsecs ?? 0) >>> 0, 12);
  out.writeUInt32BE(header.sequence >>> 0, 16);
  out[20] = header.engineType ?? 0;
  out[21] = header.engineId ?? 0;
  const interval = header.samplingInterval ?? 0;
  out.writeUInt16BE(interval > 1 ? 0x4000 | (interval & 0x3fff) : 0, 22);
  header.records.forEach((record, i) => {
    const p = 24 + 48 * i;
    Buffer.from(record.srcIp.split('.').map(Number)).copy(out, p);
    Buffer.from(record.dstIp.split('.').map(Number)).copy(out, p + 4);
    out.writeUInt32BE(record.packets >>> 0, p + 16);
    out.writeUInt32BE(record.bytes >>> 0, p + 20);
    out.writeUInt32BE(record.firstMs >>> 0, p + 24);
    out.writeUInt32BE(record.lastMs >>> 0, p + 28);
    out.writeUInt16BE(record.srcPort, p + 32);
    out.writeUInt16BE(record.dstPort, p + 34);
    out[p + 37] = record.tcpFlags ?? 0;
    out[p + 38] = record.protocol;
  });
  return out;
}

/** The fields of a typical NetFlow v9 IPv4 flow template (what softflowd and routers send). */
export const V9_FLOW_FIELDS: EncodedField[] = [
  { id: 8, length: 4 }, // IPV4_SRC_ADDR
  { id: 12, length: 4 }, // IPV4_DST_ADDR
  { id: 7, length: 2 }, // L4_SRC_PORT
  { id: 11, length: 2 }, // L4_DST_PORT
  { id: 4, length: 1 }, // PROTOCOL
  { id: 6, length: 1 }, // TCP_FLAGS
  { id: 2, length: 4 }, // IN_PKTS
  { id: 1, length: 4 }, // IN_BYTES
  { id: 22, length: 4 }, // FIRST_SWITCHED
  { id: 21, length: 4 }, // LAST_SWITCHED
];
