/**
 * Counters of the flow collector (ingest, flow source): datagrams and records taken in,
 * what was dropped and why, templates learned, withdrawn and evicted, exporters evicted and
 * the sequence numbers' verdicts (records lost, resets, forged jumps). Plain numbers on the
 * hot path; Prometheus reads them at scrape time (`registerFlowMetrics`), as the other
 * sources' counters do.
 *
 * @example registerFlowMetrics(registry, () => (flows ? [flows.counters] : []));
 */
import { Gauge, type Registry } from 'prom-client';
import { followingCounter, type CounterReading } from '../following-counter.js';

/**
 * Why input was dropped; stable words (metric labels, docs/network.md). The unit differs:
 * a whole datagram, one set (flowset) of a datagram, or one record.
 */
export const FLOW_DROP_REASONS = {
  /** Shorter than its header, or its records run past its end. */
  truncated: 'datagram',
  /** Not NetFlow v5, v9 or IPFIX (version 10). */
  unsupported_version: 'datagram',
  /** IPFIX message length that disagrees with the datagram. */
  bad_length: 'datagram',
  /** NetFlow v5 record count of 0 or above 30. */
  bad_count: 'datagram',
  /** A set shorter than its header or longer than what is left of the datagram. */
  bad_set: 'set',
  /** A template or options template that cannot be used (no fields, zero-length field, too many fields, reserved id). */
  bad_template: 'set',
  /** Data for a template the exporter has not sent (yet). */
  unknown_template: 'set',
  /** A record cut short by the end of its set (variable-length fields). */
  truncated_record: 'record',
  /** A flow record without both addresses (layer-2 only templates). */
  no_addresses: 'record',
  /** The pipeline was full: the exporter's queue could take no more (UDP cannot be slowed down). */
  queue_full: 'record',
} as const;

export type FlowDropReason = keyof typeof FLOW_DROP_REASONS;

export interface FlowCounters {
  readonly source: string;
  datagrams: number;
  bytes: number;
  /** Flow records turned into events. */
  records: number;
  /** Options records read (sampling, exporter boot time). */
  optionsRecords: number;
  dropped: Record<FlowDropReason, number>;
  /** Templates held now, over all exporters. */
  templates: number;
  /** Exporters (address, version, source id / observation domain) held now. */
  exporters: number;
  templatesLearned: number;
  templatesWithdrawn: number;
  /** Templates dropped to stay within `maxTemplatesPerExporter` (a template flood shows here). */
  templateEvictions: number;
  /** Exporters forgotten to stay within `maxExporters`. */
  exporterEvictions: number;
  /** Records (NetFlow v5, IPFIX) the sequence numbers say were lost on the way. */
  lostRecords: number;
  /** Datagrams (NetFlow v9, whose sequence counts datagrams) lost on the way. */
  lostDatagrams: number;
  /** Sequence numbers that went back (exporter restart, reordering, replay). */
  sequenceResets: number;
  /** Sequence numbers that jumped further ahead than `maxSequenceGap` (forged or a restart); not counted as loss. */
  sequenceJumps: number;
}

export function newFlowCounters(source: string): FlowCounters {
  const dropped = {} as Record<FlowDropReason, number>;
  for (const reason of Object.keys(FLOW_DROP_REASONS) as FlowDropReason[]) dropped[reason] = 0;
  return {
    source,
    datagrams: 0,
    bytes: 0,
    records: 0,
    optionsRecords: 0,
    dropped,
    templates: 0,
    exporters: 0,
    templatesLearned: 0,
    templatesWithdrawn: 0,
    templateEvictions: 0,
    exporterEvictions: 0,
    lostRecords: 0,
    lostDatagrams: 0,
    sequenceResets: 0,
    sequenceJumps: 0,
  };
}

/** Flow series show 0 from their first scrape, so "no loss" reads as 0, not as missing. */
function flowCounter(
  registry: Registry,
  name: string,
  help: string,
  labelNames: string[],
  read: () => CounterReading,
): void {
  followingCounter(registry, name, help, labelNames, read, { zeroFromFirstScrape: true });
}

/** Registers the flow metrics once per registry; `sources` is read at every scrape. */
export function registerFlowMetrics(registry: Registry, sources: () => FlowCounters[]): void {
  const per = (pick: (counters: FlowCounters) => number) => () =>
    sources().map((counters) => ({ labels: { source: counters.source }, value: pick(counters) }));
  const fanOut = (pairs: (counters: FlowCounters) => [Record<string, string>, number][]) => () =>
    sources().flatMap((counters) =>
      pairs(counters).map(([labels, value]) => ({ labels: { source: counters.source, ...labels }, value })),
    );
  flowCounter(
    registry,
    'ensuresec_flow_datagrams_total',
    'NetFlow/IPFIX datagrams received.',
    ['source'],
    per((c) => c.datagrams),
  );
  flowCounter(
    registry,
    'ensuresec_flow_bytes_total',
    'Bytes of NetFlow/IPFIX datagrams received.',
    ['source'],
    per((c) => c.bytes),
  );
  flowCounter(
    registry,
    'ensuresec_flow_records_total',
    'Flow records turned into events.',
    ['source'],
    per((c) => c.records),
  );
  flowCounter(
    registry,
    'ensuresec_flow_options_records_total',
    'Options records read (sampling rates, exporter boot time).',
    ['source'],
    per((c) => c.optionsRecords),
  );
  flowCounter(
    registry,
    'ensuresec_flow_dropped_total',
    'Flow input dropped, by reason; unit says whether a datagram, a set or a record was dropped.',
    ['source', 'reason', 'unit'],
    fanOut((c) =>
      (Object.keys(FLOW_DROP_REASONS) as FlowDropReason[]).map((reason) => [
        { reason, unit: FLOW_DROP_REASONS[reason] },
        c.dropped[reason],
      ]),
    ),
  );
  flowCounter(
    registry,
    'ensuresec_flow_template_changes_total',
    'Templates learned, withdrawn by the exporter, or evicted at the per-exporter cap; exporters evicted at the cap.',
    ['source', 'change'],
    fanOut((c) => [
      [{ change: 'learned' }, c.templatesLearned],
      [{ change: 'withdrawn' }, c.templatesWithdrawn],
      [{ change: 'evicted' }, c.templateEvictions],
      [{ change: 'exporter_evicted' }, c.exporterEvictions],
    ]),
  );
  flowCounter(
    registry,
    'ensuresec_flow_sequence_lost_total',
    "Flow records (v5, IPFIX) or datagrams (v9) the exporters' sequence numbers say were lost.",
    ['source', 'unit'],
    fanOut((c) => [
      [{ unit: 'record' }, c.lostRecords],
      [{ unit: 'datagram' }, c.lostDatagrams],
    ]),
  );
  flowCounter(
    registry,
    'ensuresec_flow_sequence_anomalies_total',
    'Sequence numbers that went back (reset) or jumped beyond maxSequenceGap (jump).',
    ['source', 'kind'],
    fanOut((c) => [
      [{ kind: 'reset' }, c.sequenceResets],
      [{ kind: 'jump' }, c.sequenceJumps],
    ]),
  );
  new Gauge({
    name: 'ensuresec_flow_templates',
    help: 'Templates held now, over all exporters.',
    labelNames: ['source'],
    registers: [registry],
    collect() {
      for (const counters of sources()) this.set({ source: counters.source }, counters.templates);
    },
  });
  new Gauge({
    name: 'ensuresec_flow_exporters',
    help: 'Exporters (address, version, source id or observation domain) held now.',
    labelNames: ['source'],
    registers: [registry],
    collect() {
      for (const counters of sources()) this.set({ source: counters.source }, counters.exporters);
    },
  });
}
