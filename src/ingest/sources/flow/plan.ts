/**
 * Template plans (ingest, flow source): a NetFlow v9 or IPFIX template compiled once into
 * flat typed arrays (what each field fills, how long it is), and the record reader that walks
 * a data record with DataView/Buffer reads along that plan into one reused `FlowRecord`. The
 * hot path allocates nothing but the address strings; the SecurityEvent is built afterwards
 * (to-event.ts).
 *
 * @example
 * const plan = compilePlan(256, [{ id: 8, length: 4, enterprise: 0 }], false);
 * const next = readRecord(datagram, view, offset, end, plan, record); // -1: truncated
 */
import { Target, targetOf, VARIABLE_LENGTH } from './fields.js';

export interface TemplateField {
  id: number;
  length: number;
  /** Private Enterprise Number; 0 for IANA elements. */
  enterprise: number;
}

export interface TemplatePlan {
  readonly id: number;
  /** An options template: its records describe the exporter (sampling, boot time), not flows. */
  readonly options: boolean;
  readonly targets: Uint8Array;
  /** Field lengths; `VARIABLE_LENGTH` for IPFIX variable-length fields. */
  readonly lengths: Uint16Array;
  /** The smallest record: fixed lengths plus one length octet per variable field (>= 1). */
  readonly minRecordLength: number;
}

/** Fields a template may have; a longer one is refused (IPFIX allows 65535, no exporter needs them). */
export const MAX_TEMPLATE_FIELDS = 128;

export type PlanResult = { ok: true; plan: TemplatePlan } | { ok: false; reason: 'bad_template' };

/** Compiles a template; refuses zero or too many fields and zero-length fields. */
export function compilePlan(id: number, fields: readonly TemplateField[], options: boolean): PlanResult {
  if (fields.length === 0 || fields.length > MAX_TEMPLATE_FIELDS)
    return { ok: false, reason: 'bad_template' };
  const targets = new Uint8Array(fields.length);
  const lengths = new Uint16Array(fields.length);
  let minRecordLength = 0;
  for (let i = 0; i < fields.length; i++) {
    const field = fields[i]!;
    if (field.length === 0) return { ok: false, reason: 'bad_template' };
    targets[i] = targetOf(field.id, field.enterprise);
    lengths[i] = field.length;
    minRecordLength += field.length === VARIABLE_LENGTH ? 1 : field.length;
  }
  return { ok: true, plan: { id, options, targets, lengths, minRecordLength } };
}

/** One decoded record; reused for every record of a datagram (`reset` before each). */
export class FlowRecord {
  srcIp = '';
  dstIp = '';
  srcPort = 0;
  dstPort = 0;
  protocol = 0;
  tcpFlags = -1;
  bytes = -1;
  packets = -1;
  bytesTotal = -1;
  packetsTotal = -1;
  icmpTypeCode = -1;
  startUptime = -1;
  endUptime = -1;
  startMs = -1;
  endMs = -1;
  startDeltaUs = -1;
  endDeltaUs = -1;
  systemInitMs = -1;
  samplingInterval = 0;
  samplerId = -1;
  packetInterval = 0;
  packetSpace = -1;
  samplingSize = 0;
  samplingPopulation = 0;
  samplingProbability = 0;

  reset(): void {
    this.srcIp = '';
    this.dstIp = '';
    this.srcPort = 0;
    this.dstPort = 0;
    this.protocol = 0;
    this.tcpFlags = -1;
    this.bytes = -1;
    this.packets = -1;
    this.bytesTotal = -1;
    this.packetsTotal = -1;
    this.icmpTypeCode = -1;
    this.startUptime = -1;
    this.endUptime = -1;
    this.startMs = -1;
    this.endMs = -1;
    this.startDeltaUs = -1;
    this.endDeltaUs = -1;
    this.systemInitMs = -1;
    this.samplingInterval = 0;
    this.samplerId = -1;
    this.packetInterval = 0;
    this.packetSpace = -1;
    this.samplingSize = 0;
    this.samplingPopulation = 0;
    this.samplingProbability = 0;
  }

  /** 1 in N packets sampled, from the record's own sampling fields; 0 when it has none. */
  ownSamplingRate(): number {
    if (this.samplingInterval > 1) return this.samplingInterval;
    if (this.packetInterval > 0 && this.packetSpace >= 0)
      return Math.round((this.packetInterval + this.packetSpace) / this.packetInterval);
    if (this.samplingSize > 0 && this.samplingPopulation > 0)
      return Math.round(this.samplingPopulation / this.samplingSize);
    if (this.samplingProbability > 0 && this.samplingProbability <= 1)
      return Math.round(1 / this.samplingProbability);
    return 0;
  }
}

const NTP_TO_UNIX_SECONDS = 2_208_988_800;
const TWO_POW_32 = 4_294_967_296;

/** An unsigned integer of 1..8 octets (IPFIX reduced-size encoding allows any length). */
export function readUnsigned(buf: Buffer, view: DataView, p: number, length: number): number {
  switch (length) {
    case 1:
      return buf[p]!;
    case 2:
      return view.getUint16(p);
    case 4:
      return view.getUint32(p);
    case 8:
      return view.getUint32(p) * TWO_POW_32 + view.getUint32(p + 4);
    default: {
      let value = 0;
      for (let i = 0; i < length && i < 8; i++) value = value * 256 + buf[p + i]!;
      return value;
    }
  }
}

/** RFC 7011 dateTimeMicroseconds/Nanoseconds: an NTP timestamp (seconds since 1900, 2^-32 fractions). */
function readNtpMs(view: DataView, p: number): number {
  const seconds = view.getUint32(p);
  const fraction = view.getUint32(p + 4);
  return (seconds - NTP_TO_UNIX_SECONDS) * 1000 + Math.floor((fraction * 1000) / TWO_POW_32);
}

export function formatIpv4(buf: Buffer, p: number): string {
  return `${buf[p]}.${buf[p + 1]}.${buf[p + 2]}.${buf[p + 3]}`;
}

/** RFC 5952 text: lower-case hex, the longest run of two or more zero groups as `::`. */
export function formatIpv6(view: DataView, p: number): string {
  let bestStart = -1;
  let bestLength = 0;
  let runStart = -1;
  for (let i = 0; i < 8; i++) {
    if (view.getUint16(p + 2 * i) === 0) {
      if (runStart < 0) runStart = i;
      const length = i - runStart + 1;
      if (length > bestLength) {
        bestLength = length;
        bestStart = runStart;
      }
    } else runStart = -1;
  }
  if (bestLength < 2) bestStart = -1;
  let text = '';
  for (let i = 0; i < 8; i++) {
    if (i === bestStart) {
      text += '::';
      i += bestLength - 1;
      continue;
    }
    if (text !== '' && !text.endsWith(':')) text += ':';
    text += view.getUint16(p + 2 * i).toString(16);
  }
  return text;
}

/**
 * Reads one record at `p` (before `end`) into `record`; returns where the next one starts,
 * or -1 when the record runs past `end` (truncated). Fields of an unexpected length for
 * their element are skipped rather than misread.
 */
export function readRecord(
  buf: Buffer,
  view: DataView,
  p: number,
  end: number,
  plan: TemplatePlan,
  record: FlowRecord,
): number {
  const { targets, lengths } = plan;
  for (let i = 0; i < targets.length; i++) {
    let length = lengths[i]!;
    if (length === VARIABLE_LENGTH) {
      if (p >= end) return -1;
      length = buf[p++]!;
      if (length === 255) {
        if (p + 2 > end) return -1;
        length = view.getUint16(p);
        p += 2;
      }
    }
    if (p + length > end) return -1;
    const target = targets[i]!;
    if (target !== Target.None && length > 0) readField(buf, view, p, length, target, record);
    p += length;
  }
  return p;
}

function readField(
  buf: Buffer,
  view: DataView,
  p: number,
  length: number,
  target: Target,
  record: FlowRecord,
): void {
  switch (target) {
    case Target.Bytes:
      record.bytes = readUnsigned(buf, view, p, length);
      return;
    case Target.Packets:
      record.packets = readUnsigned(buf, view, p, length);
      return;
    case Target.BytesTotal:
      record.bytesTotal = readUnsigned(buf, view, p, length);
      return;
    case Target.PacketsTotal:
      record.packetsTotal = readUnsigned(buf, view, p, length);
      return;
    case Target.Protocol:
      record.protocol = buf[p + length - 1]!;
      return;
    case Target.TcpFlags:
      record.tcpFlags = readUnsigned(buf, view, p, length) & 0xffff;
      return;
    case Target.SrcPort:
      if (length === 2) record.srcPort = view.getUint16(p);
      return;
    case Target.DstPort:
      if (length === 2) record.dstPort = view.getUint16(p);
      return;
    case Target.SrcIpv4:
      if (length === 4) record.srcIp = formatIpv4(buf, p);
      return;
    case Target.DstIpv4:
      if (length === 4) record.dstIp = formatIpv4(buf, p);
      return;
    case Target.SrcIpv6:
      if (length === 16) record.srcIp = formatIpv6(view, p);
      return;
    case Target.DstIpv6:
      if (length === 16) record.dstIp = formatIpv6(view, p);
      return;
    case Target.IcmpTypeCode:
      if (length === 2) record.icmpTypeCode = view.getUint16(p);
      return;
    default:
      readTime(buf, view, p, length, target, record);
  }
}

function readTime(
  buf: Buffer,
  view: DataView,
  p: number,
  length: number,
  target: Target,
  record: FlowRecord,
): void {
  switch (target) {
    case Target.StartUptime:
      record.startUptime = readUnsigned(buf, view, p, length);
      return;
    case Target.EndUptime:
      record.endUptime = readUnsigned(buf, view, p, length);
      return;
    case Target.StartSeconds:
      record.startMs = readUnsigned(buf, view, p, length) * 1000;
      return;
    case Target.EndSeconds:
      record.endMs = readUnsigned(buf, view, p, length) * 1000;
      return;
    case Target.StartMilliseconds:
      record.startMs = readUnsigned(buf, view, p, length);
      return;
    case Target.EndMilliseconds:
      record.endMs = readUnsigned(buf, view, p, length);
      return;
    case Target.StartMicroseconds:
    case Target.StartNanoseconds:
      if (length === 8) record.startMs = readNtpMs(view, p);
      return;
    case Target.EndMicroseconds:
    case Target.EndNanoseconds:
      if (length === 8) record.endMs = readNtpMs(view, p);
      return;
    case Target.StartDeltaMicroseconds:
      record.startDeltaUs = readUnsigned(buf, view, p, length);
      return;
    case Target.EndDeltaMicroseconds:
      record.endDeltaUs = readUnsigned(buf, view, p, length);
      return;
    case Target.SystemInitMilliseconds:
      record.systemInitMs = readUnsigned(buf, view, p, length);
      return;
    default:
      readSampling(buf, view, p, length, target, record);
  }
}

function readSampling(
  buf: Buffer,
  view: DataView,
  p: number,
  length: number,
  target: Target,
  record: FlowRecord,
): void {
  switch (target) {
    case Target.SamplingInterval:
      record.samplingInterval = readUnsigned(buf, view, p, length);
      return;
    case Target.SamplerId:
      record.samplerId = readUnsigned(buf, view, p, length);
      return;
    case Target.PacketInterval:
      record.packetInterval = readUnsigned(buf, view, p, length);
      return;
    case Target.PacketSpace:
      record.packetSpace = readUnsigned(buf, view, p, length);
      return;
    case Target.SamplingSize:
      record.samplingSize = readUnsigned(buf, view, p, length);
      return;
    case Target.SamplingPopulation:
      record.samplingPopulation = readUnsigned(buf, view, p, length);
      return;
    case Target.SamplingProbability:
      if (length === 8) record.samplingProbability = view.getFloat64(p);
      else if (length === 4) record.samplingProbability = view.getFloat32(p);
      return;
    default:
      return;
  }
}
