/**
 * The flow decoder (ingest, flow source): one datagram of NetFlow v5, NetFlow v9 (RFC 3954)
 * or IPFIX (RFC 7011) in, SecurityEvents of kind `flow` out. It keeps per exporter the
 * templates, sampling rates, boot time and sequence numbers (exporters.ts), scales counts
 * by the sampling rate (v5 header, v9/IPFIX options data or the record's own fields) and
 * turns sysUptime-relative or absolute timestamps into Unix milliseconds. Malformed input is
 * counted by reason and dropped; `decode` never throws.
 *
 * @example
 * const decoder = new FlowDecoder({ name: 'flows', maxExporters: 256, maxTemplatesPerExporter: 64, maxSequenceGap: 1e6 });
 * const events: SecurityEvent[] = [];
 * decoder.decode(datagram, '192.0.2.1', Date.now(), events);
 */
import type { SecurityEvent } from '../../../core/records/index.js';
import { ExporterCache, type ExporterLimits, type ExporterState } from './exporters.js';
import { newFlowCounters, type FlowCounters } from './metrics.js';
import { FlowRecord, formatIpv4, readRecord } from './plan.js';
import {
  MIN_DATA_TEMPLATE_ID,
  readIpfixTemplateSet,
  readV9OptionsTemplateSet,
  readV9TemplateSet,
} from './template-sets.js';
import { flowEvent, FlowEventIds, type FlowEventContext, type FlowTimes } from './to-event.js';

export interface FlowDecoderOptions extends ExporterLimits {
  /** The source's name (`source.name` of the events, the metrics' `source` label). */
  name: string;
}

const V5_HEADER = 24;
const V5_RECORD = 48;
const V5_MAX_RECORDS = 30;
const V9_HEADER = 20;
const IPFIX_HEADER = 16;

/** What a datagram's header says, for its records' times. */
interface Header {
  version: number;
  /** Export time, Unix ms. */
  exportMs: number;
  /** v5/v9 sysUptime at export, ms; -1 for IPFIX. */
  uptimeMs: number;
}

export class FlowDecoder {
  readonly counters: FlowCounters;
  private readonly cache: ExporterCache;
  private readonly record = new FlowRecord();
  private readonly ids = new FlowEventIds();
  private readonly times: FlowTimes = { startMs: 0, endMs: 0 };
  private readonly header: Header = { version: 0, exportMs: 0, uptimeMs: -1 };
  private readonly context: FlowEventContext;

  constructor(options: FlowDecoderOptions, counters?: FlowCounters) {
    this.counters = counters ?? newFlowCounters(options.name);
    this.cache = new ExporterCache(options, this.counters);
    this.context = { sourceName: options.name, format: '', exporter: '' };
  }

  /** Decodes one datagram from `exporter` (its address) and appends the flow events to `out`. */
  decode(datagram: Buffer, exporter: string, receivedMs: number, out: SecurityEvent[]): void {
    this.counters.datagrams++;
    this.counters.bytes += datagram.length;
    if (datagram.length < 2) {
      this.counters.dropped.truncated++;
      return;
    }
    const view = new DataView(datagram.buffer, datagram.byteOffset, datagram.byteLength);
    this.context.exporter = exporter;
    const version = view.getUint16(0);
    try {
      if (version === 5) this.decodeV5(datagram, view, exporter, receivedMs, out);
      else if (version === 9) this.decodeV9(datagram, view, exporter, receivedMs, out);
      else if (version === 10) this.decodeIpfix(datagram, view, exporter, receivedMs, out);
      else this.counters.dropped.unsupported_version++;
    } catch {
      // Every read is bounds-checked above it; a RangeError here would be a bug, never a crash.
      this.counters.dropped.truncated++;
    }
  }

  private decodeV5(buf: Buffer, view: DataView, exporter: string, receivedMs: number, out: SecurityEvent[]) {
    if (buf.length < V5_HEADER) {
      this.counters.dropped.truncated++;
      return;
    }
    const count = view.getUint16(2);
    if (count === 0 || count > V5_MAX_RECORDS) {
      this.counters.dropped.bad_count++;
      return;
    }
    if (buf.length < V5_HEADER + count * V5_RECORD) {
      this.counters.dropped.truncated++;
      return;
    }
    const uptimeMs = view.getUint32(4);
    const exportMs = view.getUint32(8) * 1000 + Math.floor(view.getUint32(12) / 1_000_000);
    const sequence = view.getUint32(16);
    const state = this.cache.get(exporter, 5, view.getUint16(20));
    // The top two bits are the sampling mode, the low fourteen the interval.
    const interval = view.getUint16(22) & 0x3fff;
    state.samplingRate = interval > 1 ? interval : 0;
    this.cache.checkSequence(state, sequence, 'record');
    this.cache.advance(state, sequence, count);
    this.context.format = 'netflow-v5';
    const record = this.record;
    for (let i = 0, p = V5_HEADER; i < count; i++, p += V5_RECORD) {
      record.reset();
      record.srcIp = formatIpv4(buf, p);
      record.dstIp = formatIpv4(buf, p + 4);
      record.packets = view.getUint32(p + 16);
      record.bytes = view.getUint32(p + 20);
      record.srcPort = view.getUint16(p + 32);
      record.dstPort = view.getUint16(p + 34);
      record.tcpFlags = buf[p + 37]!;
      record.protocol = buf[p + 38]!;
      this.times.startMs = exportMs - ((uptimeMs - view.getUint32(p + 24)) | 0);
      this.times.endMs = exportMs - ((uptimeMs - view.getUint32(p + 28)) | 0);
      out.push(flowEvent(record, this.context, this.times, state.samplingRate, receivedMs, this.ids));
      this.counters.records++;
    }
  }

  private decodeV9(buf: Buffer, view: DataView, exporter: string, receivedMs: number, out: SecurityEvent[]) {
    if (buf.length < V9_HEADER) {
      this.counters.dropped.truncated++;
      return;
    }
    const uptimeMs = view.getUint32(4);
    const sequence = view.getUint32(12);
    const state = this.cache.get(exporter, 9, view.getUint32(16));
    // A sysUptime that went back means the exporter restarted; its sequence numbers start over.
    if (state.lastUptimeMs >= 0 && uptimeMs < state.lastUptimeMs) this.cache.restart(state);
    state.lastUptimeMs = uptimeMs;
    this.cache.checkSequence(state, sequence, 'datagram');
    this.cache.advance(state, sequence, 1);
    this.header.version = 9;
    this.header.exportMs = view.getUint32(8) * 1000;
    this.header.uptimeMs = uptimeMs;
    this.context.format = 'netflow-v9';
    let p = V9_HEADER;
    while (p + 4 <= buf.length) {
      const setId = view.getUint16(p);
      const setLength = view.getUint16(p + 2);
      if (setLength < 4 || p + setLength > buf.length) {
        this.counters.dropped.bad_set++;
        return;
      }
      const start = p + 4;
      const end = p + setLength;
      if (setId === 0)
        readV9TemplateSet(view, start, end, { state, cache: this.cache, counters: this.counters });
      else if (setId === 1)
        readV9OptionsTemplateSet(view, start, end, { state, cache: this.cache, counters: this.counters });
      else if (setId >= MIN_DATA_TEMPLATE_ID)
        this.dataSet(buf, view, start, end, setId, state, receivedMs, out);
      p = end;
    }
  }

  private decodeIpfix(
    buf: Buffer,
    view: DataView,
    exporter: string,
    receivedMs: number,
    out: SecurityEvent[],
  ) {
    if (buf.length < IPFIX_HEADER) {
      this.counters.dropped.truncated++;
      return;
    }
    const length = view.getUint16(2);
    if (length < IPFIX_HEADER || length > buf.length) {
      this.counters.dropped.bad_length++;
      return;
    }
    const sequence = view.getUint32(8);
    const state = this.cache.get(exporter, 10, view.getUint32(12));
    this.header.version = 10;
    this.header.exportMs = view.getUint32(4) * 1000;
    this.header.uptimeMs = -1;
    this.context.format = 'ipfix';
    let records = 0;
    const flowsBefore = this.counters.records + this.counters.dropped.no_addresses;
    let p = IPFIX_HEADER;
    while (p + 4 <= length) {
      const setId = view.getUint16(p);
      const setLength = view.getUint16(p + 2);
      if (setLength < 4 || p + setLength > length) {
        this.counters.dropped.bad_set++;
        records = -1;
        break;
      }
      const start = p + 4;
      const end = p + setLength;
      if (setId === 2 || setId === 3)
        readIpfixTemplateSet(view, start, end, setId === 3, {
          state,
          cache: this.cache,
          counters: this.counters,
        });
      else if (setId >= MIN_DATA_TEMPLATE_ID) {
        const read = this.dataSet(buf, view, start, end, setId, state, receivedMs, out);
        records = records < 0 || read < 0 ? -1 : records + read;
      }
      p = end;
    }
    const flowRecords = this.counters.records + this.counters.dropped.no_addresses - flowsBefore;
    this.cache.checkIpfixSequence(state, sequence, records, flowRecords);
  }

  /** Reads a data set's records; returns how many, or -1 when its template is unknown. */
  private dataSet(
    buf: Buffer,
    view: DataView,
    start: number,
    end: number,
    templateId: number,
    state: ExporterState,
    receivedMs: number,
    out: SecurityEvent[],
  ): number {
    const plan = state.templates.get(templateId);
    if (!plan) {
      this.counters.dropped.unknown_template++;
      return -1;
    }
    const record = this.record;
    let records = 0;
    let p = start;
    // What is left once no record fits is padding (RFC 3954 §5.3, RFC 7011 §3.3.1).
    while (end - p >= plan.minRecordLength) {
      record.reset();
      const next = readRecord(buf, view, p, end, plan, record);
      if (next < 0) {
        this.counters.dropped.truncated_record++;
        break;
      }
      p = next;
      records++;
      if (plan.options) this.applyOptions(state);
      else this.emit(state, receivedMs, out);
    }
    return records;
  }

  private applyOptions(state: ExporterState): void {
    const record = this.record;
    this.counters.optionsRecords++;
    if (record.systemInitMs >= 0) state.systemInitMs = record.systemInitMs;
    const rate = record.ownSamplingRate() || (record.samplingInterval === 1 ? 1 : 0);
    if (rate === 0) return;
    if (record.samplerId >= 0) state.setSamplerRate(record.samplerId, rate);
    else state.samplingRate = rate;
  }

  private emit(state: ExporterState, receivedMs: number, out: SecurityEvent[]): void {
    const record = this.record;
    if (record.srcIp === '' || record.dstIp === '') {
      this.counters.dropped.no_addresses++;
      return;
    }
    this.resolveTimes(state);
    let rate = record.ownSamplingRate();
    if (rate === 0) {
      const sampler = record.samplerId >= 0 ? state.samplerRates.get(record.samplerId) : undefined;
      rate = sampler ?? state.samplingRate;
    }
    out.push(flowEvent(record, this.context, this.times, rate, receivedMs, this.ids));
    this.counters.records++;
  }

  /** Start and end in Unix ms from whichever time fields the template had. */
  private resolveTimes(state: ExporterState): void {
    const record = this.record;
    const { exportMs, uptimeMs } = this.header;
    const times = this.times;
    const bootMs = record.systemInitMs >= 0 ? record.systemInitMs : state.systemInitMs;
    times.startMs = record.startMs;
    times.endMs = record.endMs;
    if (times.startMs < 0 && record.startUptime >= 0) {
      if (uptimeMs >= 0) times.startMs = exportMs - ((uptimeMs - record.startUptime) | 0);
      else if (bootMs >= 0) times.startMs = bootMs + record.startUptime;
    }
    if (times.endMs < 0 && record.endUptime >= 0) {
      if (uptimeMs >= 0) times.endMs = exportMs - ((uptimeMs - record.endUptime) | 0);
      else if (bootMs >= 0) times.endMs = bootMs + record.endUptime;
    }
    if (times.startMs < 0 && record.startDeltaUs >= 0)
      times.startMs = exportMs - Math.floor(record.startDeltaUs / 1000);
    if (times.endMs < 0 && record.endDeltaUs >= 0)
      times.endMs = exportMs - Math.floor(record.endDeltaUs / 1000);
    if (times.endMs < 0) times.endMs = times.startMs >= 0 ? times.startMs : exportMs;
    if (times.startMs < 0) times.startMs = times.endMs;
  }
}
