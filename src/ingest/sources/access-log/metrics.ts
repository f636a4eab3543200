/**
 * Counters of a log source (ingest): lines read, events made, malformed lines by reason,
 * bytes read, rotations and truncations seen. Plain numbers on the hot path; Prometheus
 * reads them when it scrapes (`registerSourceMetrics`), as the gateway's metrics do. The
 * syslog source uses the same counters (a message counts as a line).
 *
 * @example registerSourceMetrics(registry, () => [accessLog.counters, syslog.counters]);
 */
import type { Registry } from 'prom-client';
import { followingCounter } from '../following-counter.js';
import type { MalformedReason } from '../dead-letter.js';

export interface SourceCounters {
  /** The source's configured name. */
  readonly source: string;
  /** `access-log`, `syslog`, … */
  readonly type: string;
  linesRead: number;
  bytesRead: number;
  events: number;
  /** Blank lines, skipped without complaint. */
  skipped: number;
  malformed: Partial<Record<MalformedReason, number>>;
  rotations: number;
  truncations: number;
  /** Messages dropped because the pipeline was full (UDP cannot be slowed down). */
  dropped: number;
}

export function newSourceCounters(source: string, type: string): SourceCounters {
  return {
    source,
    type,
    linesRead: 0,
    bytesRead: 0,
    events: 0,
    skipped: 0,
    malformed: {},
    rotations: 0,
    truncations: 0,
    dropped: 0,
  };
}

export function countMalformed(counters: SourceCounters, reason: MalformedReason): void {
  counters.malformed[reason] = (counters.malformed[reason] ?? 0) + 1;
}

export function malformedTotal(counters: SourceCounters): number {
  let total = 0;
  for (const count of Object.values(counters.malformed)) total += count ?? 0;
  return total;
}

/** Registers the log sources' counters once per registry; `sources` is read at every scrape. */
export function registerSourceMetrics(registry: Registry, sources: () => SourceCounters[]): void {
  const per = (pick: (counters: SourceCounters) => number) => () =>
    sources().map((counters) => ({
      labels: { source: counters.source, type: counters.type },
      value: pick(counters),
    }));
  const labelNames = ['source', 'type'];
  followingCounter(
    registry,
    'ensuresec_source_lines_total',
    'Lines (or messages) a log source read.',
    labelNames,
    per((c) => c.linesRead),
  );
  followingCounter(
    registry,
    'ensuresec_source_bytes_total',
    'Bytes a log source read.',
    labelNames,
    per((c) => c.bytesRead),
  );
  followingCounter(
    registry,
    'ensuresec_source_events_total',
    'Security events a log source made.',
    labelNames,
    per((c) => c.events),
  );
  followingCounter(
    registry,
    'ensuresec_source_dropped_total',
    'Messages a log source dropped because the pipeline was full.',
    labelNames,
    per((c) => c.dropped),
  );
  followingCounter(
    registry,
    'ensuresec_source_rotations_total',
    'File rotations (rename or new file) a tailer followed.',
    labelNames,
    per((c) => c.rotations),
  );
  followingCounter(
    registry,
    'ensuresec_source_truncations_total',
    'File truncations (copytruncate) a tailer followed.',
    labelNames,
    per((c) => c.truncations),
  );
  followingCounter(
    registry,
    'ensuresec_source_malformed_total',
    'Lines or messages a log source could not parse, by reason.',
    ['source', 'type', 'reason'],
    () =>
      sources().flatMap((counters) =>
        Object.entries(counters.malformed).map(([reason, value]) => ({
          labels: { source: counters.source, type: counters.type, reason },
          value: value ?? 0,
        })),
      ),
  );
}
