/**
 * The detection pipeline (detect): runs every detector over one ordered stream of
 * SecurityEvents (the loaded Sigma rules and correlations, the built-in e-commerce detectors,
 * threat-intelligence matching, anomaly detection) and turns their Detections into Alert
 * changes: a new alert, or more detections folded into an open one (see grouping.ts).
 * Synchronous and free of I/O: the server feeds it from the bus and hands its changes to the
 * alert writer; `ensuresec ingest` feeds it a file and prints them. A detector that throws
 * on an event is counted and skipped for that event; it never stops the others. A detector
 * that declares the event kinds it reads (`Detector.kinds`) is called for those kinds only.
 *
 * @example
 * const pipeline = createDetectionPipeline({ sigma: await loadSigmaRules('rules/') });
 * for (const change of pipeline.observeMany(events)) if (change.type === 'created') console.log(change.alert.title);
 * pipeline.flush(); // end of input: correlation windows still open
 */
import { EVENT_KINDS, type SecurityEvent } from '../../core/records/index.js';
import { createAnomalyDetector, type AnomalyConfigInput } from '../anomaly/index.js';
import { createSigmaDetector, type CorrelationEngineOptions } from '../correlation/index.js';
import type { CorrelationRule } from '../correlation/types.js';
import type { Detection, Detector } from '../detector.js';
import { createDetectors, type DetectorsConfig } from '../detectors/registry.js';
import { createThreatIntelDetector, type ThreatIntelOptions } from '../intel/index.js';
import type { SigmaRule } from '../sigma/types.js';
import { AlertGrouper, type AlertChange, type AlertGroupingOptions } from './grouping.js';
import { sigmaAsDetector, type SigmaAsDetector } from './sigma-adapter.js';

export interface DetectionPipelineOptions {
  /** Sigma rules and correlations (from `loadSigmaRules`); none by default. */
  sigma?: { rules: readonly SigmaRule[]; correlations: readonly CorrelationRule[] };
  /** Bounds of the correlation state (keys per rule, evidence per group). */
  correlation?: CorrelationEngineOptions;
  /** The built-in detectors' settings (the registry's `detectors` section); `false` runs none. */
  detectors?: DetectorsConfig | false;
  /** Threat-intelligence matching over an indicator index; off without one. */
  intel?: ThreatIntelOptions;
  /** Anomaly detection settings; `false` turns it off. On by default. */
  anomaly?: AnomalyConfigInput | false;
  /** More detectors to run (tests, plugins). */
  extraDetectors?: readonly Detector[];
  grouping?: AlertGroupingOptions;
  /** Told about a detector that threw on an event (the event is skipped for that detector only). */
  onDetectorError?(detector: string, error: unknown, event: SecurityEvent): void;
}

export interface DetectionPipelineStats {
  events: number;
  detections: number;
  alertsCreated: number;
  alertsUpdated: number;
  detectorErrors: number;
  /** Open alert groups, and groups closed early to honour the bound. */
  openGroups: number;
  groupEvictions: number;
  /** Keys held in state, per detector. */
  stateKeys: Record<string, number>;
}

export interface DetectionPipeline {
  /** The detectors' names, in the order they run. */
  readonly detectorNames: readonly string[];
  /** Sigma rules that run (loaded, log source fed, fields mapped, status not deprecated). */
  readonly sigmaActiveRules: number;
  /** Feeds one event (in time order); returns the alert changes it caused, usually none. */
  observe(event: SecurityEvent): AlertChange[];
  observeMany(events: Iterable<SecurityEvent>): AlertChange[];
  /** End of input: decides the correlation windows still open. */
  flush(): AlertChange[];
  stats(): DetectionPipelineStats;
}

export function createDetectionPipeline(options: DetectionPipelineOptions = {}): DetectionPipeline {
  const detectors: Detector[] = [];
  let sigma: SigmaAsDetector | undefined;
  if (options.sigma && (options.sigma.rules.length > 0 || options.sigma.correlations.length > 0)) {
    sigma = sigmaAsDetector(createSigmaDetector(options.sigma, options.correlation ?? {}));
    detectors.push(sigma);
  }
  if (options.detectors !== false)
    detectors.push(...createDetectors(options.detectors ?? {}, 'detection.detectors'));
  if (options.intel) detectors.push(createThreatIntelDetector(options.intel));
  if (options.anomaly !== false) detectors.push(createAnomalyDetector(options.anomaly ?? {}));
  detectors.push(...(options.extraDetectors ?? []));

  // The detectors of each event kind, in the order above: those that declare the kind and
  // those that declare none. An event of a kind not listed (no schema admits one) meets all.
  const byKind = new Map<string, readonly Detector[]>(
    EVENT_KINDS.map((kind) => [
      kind,
      detectors.filter((detector) => detector.kinds === undefined || detector.kinds.includes(kind)),
    ]),
  );

  const grouper = new AlertGrouper(options.grouping);
  const counts = { events: 0, detections: 0, alertsCreated: 0, alertsUpdated: 0, detectorErrors: 0 };

  function take(detections: readonly Detection[], detector: string, out: AlertChange[]): void {
    for (const detection of detections) {
      counts.detections++;
      const change = grouper.add(detection, detector);
      if (change.type === 'created') counts.alertsCreated++;
      else counts.alertsUpdated++;
      out.push(change);
    }
  }

  function observeInto(event: SecurityEvent, out: AlertChange[]): void {
    counts.events++;
    for (const detector of byKind.get(event.kind) ?? detectors) {
      let detections: Detection[];
      try {
        detections = detector.observe(event);
      } catch (error) {
        counts.detectorErrors++;
        options.onDetectorError?.(detector.name, error, event);
        continue;
      }
      if (detections.length > 0) take(detections, detector.name, out);
    }
  }

  return {
    detectorNames: detectors.map((detector) => detector.name),
    sigmaActiveRules: sigma?.activeRules ?? 0,
    observe(event) {
      const out: AlertChange[] = [];
      observeInto(event, out);
      return out;
    },
    observeMany(events) {
      const out: AlertChange[] = [];
      for (const event of events) observeInto(event, out);
      return out;
    },
    flush() {
      const out: AlertChange[] = [];
      if (sigma) take(sigma.flush(), sigma.name, out);
      return out;
    },
    stats() {
      const stateKeys: Record<string, number> = {};
      for (const detector of detectors) stateKeys[detector.name] = detector.stateSize();
      return {
        ...counts,
        openGroups: grouper.size,
        groupEvictions: grouper.evictions,
        stateKeys,
      };
    },
  };
}
