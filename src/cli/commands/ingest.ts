/**
 * `ensuresec ingest FILE --format nginx|apache|jsonl|syslog|suricata-eve|zeek-conn|zeek-http|auto [--sigma PATH]... [--json]`:
 * reads one log file through the whole detection pipeline (parsing, Sigma rules and
 * correlations, the built-in detectors, intelligence, anomaly detection, grouping) without a
 * server, and prints the alerts: a table for people, one JSON object per line with `--json`.
 * A summary (lines, events, malformed lines, alerts) goes to stderr, with progress while it
 * reads when stderr is a terminal. The `detection:` section of the configuration applies
 * (detector settings, grouping, intelligence files); `--sigma` replaces its rule paths.
 */
import { Option, type Command } from 'commander';
import type { Alert } from '../../core/records/index.js';
import { loadDetectionPipeline } from '../../detect/pipeline/index.js';
import { malformedTotal } from '../../ingest/sources/access-log/metrics.js';
import { INGEST_FORMATS, ingestFile, type IngestFormat } from '../../ingest/sources/file-ingest.js';
import { action } from '../action.js';

interface IngestFlags {
  format: IngestFormat;
  sigma: string[];
  anomaly: boolean;
}

const PROGRESS_EVERY_MS = 250;

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

/** The table's row of an alert: what a person reads first. */
function row(alert: Alert) {
  return {
    firstSeen: alert.firstSeen ?? alert.time,
    severity: alert.severity,
    count: alert.count ?? 1,
    entity: alert.entity ? `${alert.entity.type}:${alert.entity.value}` : '-',
    detector: alert.detector,
    title: alert.title,
  };
}

export function register(program: Command): void {
  program
    .command('ingest')
    .description('read a log file through the detection pipeline and print the alerts (no server needed)')
    .argument('<file>', 'the log file (gzip is read as such)')
    .addOption(
      new Option('--format <format>', 'how the file is written').choices(INGEST_FORMATS).default('auto'),
    )
    .option(
      '--sigma <path>',
      'Sigma rule file or directory (repeatable; replaces detection.sigma.rules)',
      collect,
      [],
    )
    .option('--no-anomaly', 'leave anomaly detection out (it learns for its first hours of log time)')
    .action(
      action(async (context, file: string, flags: IngestFlags) => {
        const settings = context.loadConfig().config.detection;
        const started = Date.now();
        const loaded = await loadDetectionPipeline({
          sigmaRules: flags.sigma.length > 0 ? flags.sigma : settings.sigma.rules,
          maxKeysPerRule: settings.sigma.maxKeysPerRule,
          intelFiles: settings.intel.files,
          intelMinConfidence: settings.intel.minConfidence,
          detectors: settings.detectors,
          anomaly: flags.anomaly ? settings.anomaly : { enabled: false },
          groupWindowMs: settings.grouping.window,
          maxGroups: settings.grouping.maxGroups,
          maxEvidenceEvents: settings.grouping.maxEvidenceEvents,
        });
        for (const problem of loaded.problems)
          process.stderr.write(`warning[${problem.code}]: ${problem.text}\n`);
        const { pipeline } = loaded;
        const ingest = ingestFile(file, { format: flags.format });
        const alerts = new Map<string, Alert>();
        const progress = process.stderr.isTTY === true;
        let lastProgressMs = 0;
        for await (const batch of ingest.batches()) {
          for (const change of pipeline.observeMany(batch)) alerts.set(change.alert.id, change.alert);
          if (progress && Date.now() - lastProgressMs >= PROGRESS_EVERY_MS) {
            lastProgressMs = Date.now();
            process.stderr.write(
              `\r${ingest.counters.linesRead} lines, ${ingest.counters.events} events, ${alerts.size} alerts`,
            );
          }
        }
        for (const change of pipeline.flush()) alerts.set(change.alert.id, change.alert);
        if (progress) process.stderr.write('\r\u001b[K');

        const ordered = [...alerts.values()].sort((a, b) =>
          (a.firstSeen ?? a.time) < (b.firstSeen ?? b.time)
            ? -1
            : (a.firstSeen ?? a.time) > (b.firstSeen ?? b.time)
              ? 1
              : 0,
        );
        if (context.output.json) {
          for (const alert of ordered) process.stdout.write(JSON.stringify(alert) + '\n');
        } else {
          context.output.list(ordered.map(row), [
            'firstSeen',
            'severity',
            'count',
            'entity',
            'detector',
            'title',
          ]);
        }
        const stats = pipeline.stats();
        const counters = ingest.counters;
        const malformed = Object.entries(counters.malformed)
          .map(([reason, count]) => `${reason} ${count}`)
          .join(', ');
        const seconds = ((Date.now() - started) / 1000).toFixed(1);
        process.stderr.write(
          `${counters.linesRead} lines read, ${counters.events} events, ` +
            `${malformedTotal(counters)} malformed${malformed ? ` (${malformed})` : ''}, ` +
            `${ordered.length} alerts from ${stats.detections} detections; ` +
            `${loaded.sigma.activeRules} Sigma rules, ${pipeline.detectorNames.length} detectors; ${seconds} s\n`,
        );
      }),
    );
}
