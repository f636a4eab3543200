/**
 * The detector contract (detect): what every built-in detector (credential stuffing, card
 * testing, anomaly, threat intelligence...) implements, so the detection pipeline can run them
 * side by side over the same ordered stream of SecurityEvents. A detector keeps bounded state
 * of its own, reads time from the events only (never the wall clock, so labelled cases replay
 * exactly), and answers with detections; the pipeline turns detections into Alert records
 * (deduplication, grouping, storage, ledger), not the detector.
 *
 * @example
 *   const detector = createCardTestingDetector(config);
 *   for (const event of events) for (const d of detector.observe(event)) console.log(d.title);
 */
import type { Alert, SecurityEvent } from '../core/records/index.js';

/**
 * The entity an alert is about: what a playbook bans, challenges or locks. `route` (`METHOD
 * /route`) is for what a whole route shows and no single client explains (a 5xx storm).
 */
export interface DetectionEntity {
  type: 'ip' | 'account' | 'session' | 'order' | 'card' | 'address' | 'ja4' | 'device' | 'route';
  value: string;
}

export interface Detection {
  /** Stable id of the rule inside the detector, e.g. `ecommerce.card-testing`. */
  ruleId: string;
  title: string;
  description: string;
  severity: Alert['severity'];
  /** The events that support it (ids), most telling first; at most 1000. */
  eventIds: string[];
  entity: DetectionEntity;
  /** MITRE ATT&CK technique ids where one fits, e.g. `T1110.004`. */
  attack: string[];
  tags: string[];
  /** Event time (ISO) of the detection: the time of the event that completed it. */
  time: string;
  /** Figures that explain it (counts, rates, scores), shown to the analyst as they are. */
  evidence: Record<string, number | string | boolean>;
}

export interface Detector {
  /** Stable name, e.g. `card-testing`; the Alert's `detector` field. */
  readonly name: string;
  /**
   * The event kinds the detector reads, when it can say: it answers every other kind with no
   * detection and no change of state, so the pipeline does not call it for them. Absent: all.
   */
  readonly kinds?: readonly SecurityEvent['kind'][];
  /** Feeds one event (in time order); returns the detections it completes, usually none. */
  observe(event: SecurityEvent): Detection[];
  /** Number of keys held in state (for the memory bound and metrics). */
  stateSize(): number;
}
