/**
 * What the collector remembers per exporter (ingest, flow source): its templates, the
 * sampling rates and boot time its options records gave, and where its sequence numbers
 * should be next. Keyed by exporter address, protocol version and source id / observation
 * domain. Everything is bounded: at most `maxExporters` exporters (the least recently heard
 * is forgotten), `maxTemplatesPerExporter` templates each (the oldest is evicted), a few
 * samplers each; evictions are counted, so a template flood shows in the metrics and never
 * in the memory.
 *
 * @example
 * const cache = new ExporterCache({ maxExporters: 256, maxTemplatesPerExporter: 64, maxSequenceGap: 1e6 }, counters);
 * const state = cache.get('192.0.2.1', 9, 0);
 * cache.checkSequence(state, 1234, 'datagram'); // NetFlow v9 numbers datagrams
 * cache.advance(state, 1234, 1);
 */
import type { FlowCounters } from './metrics.js';
import type { TemplatePlan } from './plan.js';

export interface ExporterLimits {
  maxExporters: number;
  maxTemplatesPerExporter: number;
  /** A sequence number further ahead than this is a jump (forged, or a restart), not loss. */
  maxSequenceGap: number;
}

/** Samplers (sampler id / selector id → rate) kept per exporter. */
const MAX_SAMPLERS = 64;

export class ExporterState {
  readonly templates = new Map<number, TemplatePlan>();
  /** 1 in N, from options data without a sampler id (or the v5 header); 0 unknown. */
  samplingRate = 0;
  readonly samplerRates = new Map<number, number>();
  /** IPFIX systemInitTimeMilliseconds from options data; -1 unknown. */
  systemInitMs = -1;
  /** The sequence number the next datagram should carry; -1 unknown. */
  nextSequence = -1;
  /** IPFIX: the last message's sequence number, its data records and of those its flow records (-1 unknown). */
  lastSequence = -1;
  lastRecords = -1;
  lastFlowRecords = -1;
  /** NetFlow v9 sysUptime of the last datagram, to tell an exporter restart; -1 none yet. */
  lastUptimeMs = -1;

  constructor(readonly address: string) {}

  setSamplerRate(samplerId: number, rate: number): void {
    if (!this.samplerRates.has(samplerId) && this.samplerRates.size >= MAX_SAMPLERS) {
      const oldest = this.samplerRates.keys().next().value;
      if (oldest !== undefined) this.samplerRates.delete(oldest);
    }
    this.samplerRates.set(samplerId, rate);
  }
}

const TWO_POW_31 = 2_147_483_648;

export class ExporterCache {
  private readonly exporters = new Map<string, ExporterState>();
  private lastKey = '';

  constructor(
    private readonly limits: ExporterLimits,
    private readonly counters: FlowCounters,
  ) {}

  /** The exporter's state, made on first sight; forgets the least recently heard beyond the cap. */
  get(address: string, version: number, domain: number): ExporterState {
    const key = `${address}|${version}|${domain}`;
    let state = this.exporters.get(key);
    if (state) {
      // Map order is the recency order; a datagram from the same exporter as the last one moves nothing.
      if (key !== this.lastKey) {
        this.exporters.delete(key);
        this.exporters.set(key, state);
      }
    } else {
      if (this.exporters.size >= this.limits.maxExporters) this.evictOldest();
      state = new ExporterState(address);
      this.exporters.set(key, state);
      this.counters.exporters = this.exporters.size;
    }
    this.lastKey = key;
    return state;
  }

  setTemplate(state: ExporterState, plan: TemplatePlan): void {
    const templates = state.templates;
    if (templates.has(plan.id)) templates.delete(plan.id);
    else if (templates.size >= this.limits.maxTemplatesPerExporter) {
      const oldest = templates.keys().next().value;
      if (oldest !== undefined) templates.delete(oldest);
      this.counters.templateEvictions++;
    } else this.counters.templates++;
    templates.set(plan.id, plan);
    this.counters.templatesLearned++;
  }

  withdraw(state: ExporterState, templateId: number): void {
    if (state.templates.delete(templateId)) {
      this.counters.templates--;
      this.counters.templatesWithdrawn++;
    }
  }

  /** IPFIX "withdraw all": every data template (options false) or every options template. */
  withdrawAll(state: ExporterState, options: boolean): void {
    for (const [id, plan] of state.templates) if (plan.options === options) this.withdraw(state, id);
  }

  /**
   * Compares a v5/v9 datagram's sequence number with the expected one: a small gap ahead
   * is loss (`unit` says of what), a number behind is a reset, a gap beyond
   * `maxSequenceGap` a jump. Either way the tracker follows the new number: the caller
   * then calls `advance`.
   */
  checkSequence(state: ExporterState, sequence: number, unit: 'record' | 'datagram'): void {
    if (state.nextSequence >= 0) this.compare((sequence - state.nextSequence) >>> 0, unit);
  }

  /**
   * IPFIX numbers data records: a message carries the count of those sent before it
   * (RFC 7011 §3.1). Exporters differ on what they count: softflowd counts the message's
   * own records too, and some leave options records out. A number that fits any of those
   * readings is in order; otherwise the gap is measured from the nearest one. Called once
   * the message's records are known (`records` -1: a set of an unknown template).
   */
  checkIpfixSequence(state: ExporterState, sequence: number, records: number, flowRecords: number): void {
    if (state.lastSequence >= 0 && state.lastRecords >= 0 && records >= 0) {
      const last = state.lastSequence;
      const ahead = Math.min(
        (sequence - last - state.lastRecords) >>> 0,
        (sequence - last - state.lastFlowRecords) >>> 0,
        (sequence - last - records) >>> 0,
        (sequence - last - flowRecords) >>> 0,
      );
      this.compare(ahead, 'record');
    }
    state.lastSequence = sequence;
    state.lastRecords = records;
    state.lastFlowRecords = flowRecords;
  }

  /** `ahead`: how far past the expected number a sequence number is, modulo 2^32. */
  private compare(ahead: number, unit: 'record' | 'datagram'): void {
    if (ahead === 0) return;
    if (ahead >= TWO_POW_31) this.counters.sequenceResets++;
    else if (ahead > this.limits.maxSequenceGap) this.counters.sequenceJumps++;
    else if (unit === 'record') this.counters.lostRecords += ahead;
    else this.counters.lostDatagrams += ahead;
  }

  /** Where the next v5/v9 sequence number should be. */
  advance(state: ExporterState, sequence: number, increment: number): void {
    state.nextSequence = (sequence + increment) >>> 0;
  }

  /** An exporter restarted (its uptime went back): its sequence starts over, not counted as loss. */
  restart(state: ExporterState): void {
    if (state.nextSequence >= 0) this.counters.sequenceResets++;
    state.nextSequence = -1;
    state.lastSequence = -1;
  }

  size(): number {
    return this.exporters.size;
  }

  private evictOldest(): void {
    const oldest = this.exporters.keys().next().value;
    if (oldest === undefined) return;
    const state = this.exporters.get(oldest);
    this.exporters.delete(oldest);
    this.counters.templates -= state?.templates.size ?? 0;
    this.counters.exporterEvictions++;
    if (oldest === this.lastKey) this.lastKey = '';
  }
}
