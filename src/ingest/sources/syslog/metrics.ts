/**
 * Counters of the syslog source (ingest): the log-source counters (a message counts as a
 * line) plus connections accepted and refused. Read at scrape time like the others.
 *
 * @example registerSyslogMetrics(registry, () => [syslog.counters]);
 */
import { Counter, Gauge, type Registry } from 'prom-client';
import { newSourceCounters, type SourceCounters } from '../access-log/metrics.js';

export interface SyslogCounters extends SourceCounters {
  connectionsAccepted: number;
  connectionsRefused: number;
  connectionsOpen: number;
}

export function newSyslogCounters(source: string): SyslogCounters {
  return {
    ...newSourceCounters(source, 'syslog'),
    connectionsAccepted: 0,
    connectionsRefused: 0,
    connectionsOpen: 0,
  };
}

/** The connection metrics; the line, event and malformed counts go through `registerSourceMetrics`. */
export function registerSyslogMetrics(registry: Registry, sources: () => SyslogCounters[]): void {
  const last = new Map<string, number>();
  new Counter({
    name: 'ensuresec_syslog_connections_total',
    help: 'TCP connections to a syslog source, by fate (accepted, refused at the connection limit).',
    labelNames: ['source', 'fate'],
    registers: [registry],
    collect() {
      for (const counters of sources()) {
        for (const [fate, value] of [
          ['accepted', counters.connectionsAccepted],
          ['refused', counters.connectionsRefused],
        ] as const) {
          const key = `${counters.source}\n${fate}`;
          const delta = value - (last.get(key) ?? 0);
          if (delta > 0) this.inc({ source: counters.source, fate }, delta);
          last.set(key, value);
        }
      }
    },
  });
  new Gauge({
    name: 'ensuresec_syslog_connections_open',
    help: 'TCP connections open to a syslog source.',
    labelNames: ['source'],
    registers: [registry],
    collect() {
      for (const counters of sources()) this.set({ source: counters.source }, counters.connectionsOpen);
    },
  });
}
