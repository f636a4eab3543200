/**
 * Alert grouping (detect/pipeline): one alert per (detector, rule, entity) and grouping
 * window. The first detection of a group creates the alert; the ones that follow within
 * `windowMs` of event time from the group's first one fold into it (count, lastSeen, the
 * highest severity, the latest evidence, up to `maxEvidenceEvents` event ids). After the
 * window a new alert starts, so a week-long attack is a few alerts a day, not one forever
 * and not one per request. State is bounded: expired groups are swept as event time moves
 * on, and beyond `maxGroups` the least recently updated group is closed early.
 *
 * @example
 * const grouper = new AlertGrouper({ windowMs: 600_000 });
 * const change = grouper.add(detection, 'scraping'); // { type: 'created', alert } then 'updated'
 */
import type { Severity } from '../../core/records/common.js';
import type { Alert } from '../../core/records/index.js';
import { newId } from '../../core/ids.js';
import type { Detection } from '../detector.js';

export type AlertChange = { type: 'created'; alert: Alert } | { type: 'updated'; alert: Alert };

export interface AlertGroupingOptions {
  /** Event time a group stays open from its first detection; default 10 minutes. */
  windowMs?: number;
  /** Open groups kept at most; default 100,000. */
  maxGroups?: number;
  /** Event ids an alert keeps as evidence (the first ones); default 20, at most 1000. */
  maxEvidenceEvents?: number;
  /** Makes alert ids; default `alr_` + a ULID of the wall clock (alerts list in the order they were raised). */
  newAlertId?: () => string;
}

export const DEFAULT_GROUP_WINDOW_MS = 600_000;
export const DEFAULT_MAX_GROUPS = 100_000;
export const DEFAULT_MAX_EVIDENCE_EVENTS = 20;

const SEVERITY_RANK: Record<Severity, number> = { info: 0, low: 1, medium: 2, high: 3, critical: 4 };
const EVENT_ID = /^evt_[0-9A-HJKMNP-TV-Z]{26}$/;
const ATTACK_ID = /^T\d{4}(\.\d{3})?$/;
const SEPARATOR = '\u001f';
/** Sweep expired groups at most this often (event time), so a sweep is not paid per detection. */
const SWEEP_EVERY_MS = 1000;

interface Group {
  alert: Alert;
  closesAtMs: number;
}

function clip(text: string, max: number): string {
  return text.length <= max ? text : text.slice(0, max);
}

/** Entity types whose value is personal data (the Alert schema pseudonymises them where records leave the shop). */
const PERSONAL_ENTITIES = new Set<Detection['entity']['type']>([
  'ip',
  'account',
  'session',
  'card',
  'address',
]);

/**
 * Free text that repeats a personal entity value (`Path probing from 203.0.113.7`) would carry
 * it past the pseudonymisation of `entity` and `subject` into the ledger: it names the entity
 * by its type instead (`Path probing from <ip>`); the value stays in `entity`.
 */
function withoutEntityValue(text: string, entity: Detection['entity']): string {
  if (!PERSONAL_ENTITIES.has(entity.type) || entity.value.length < 3 || !text.includes(entity.value))
    return text;
  return text.split(entity.value).join(`<${entity.type}>`);
}

/** The detection's figures as the Alert schema allows them (keys and strings bounded, at most 64). */
function evidenceOf(detection: Detection): Alert['evidence'] {
  const out: NonNullable<Alert['evidence']> = {};
  let kept = 0;
  for (const [key, value] of Object.entries(detection.evidence)) {
    if (kept++ >= 64) break;
    out[clip(key, 128)] =
      typeof value === 'string' ? clip(withoutEntityValue(value, detection.entity), 1024) : value;
  }
  return out;
}

export class AlertGrouper {
  private readonly windowMs: number;
  private readonly maxGroups: number;
  private readonly maxEvidence: number;
  private readonly newAlertId: () => string;
  /** In order of last update: the head is the least recently updated group. */
  private readonly groups = new Map<string, Group>();
  private nextSweepMs = Number.NEGATIVE_INFINITY;
  private evicted = 0;

  constructor(options: AlertGroupingOptions = {}) {
    this.windowMs = options.windowMs ?? DEFAULT_GROUP_WINDOW_MS;
    this.maxGroups = Math.max(1, options.maxGroups ?? DEFAULT_MAX_GROUPS);
    this.maxEvidence = Math.min(1000, Math.max(1, options.maxEvidenceEvents ?? DEFAULT_MAX_EVIDENCE_EVENTS));
    this.newAlertId = options.newAlertId ?? (() => newId('alr'));
  }

  get size(): number {
    return this.groups.size;
  }

  /** Groups closed early to honour `maxGroups` (a sign it is too small). */
  get evictions(): number {
    return this.evicted;
  }

  add(detection: Detection, detector: string): AlertChange {
    const timeMs = Date.parse(detection.time);
    const key = [detector, detection.ruleId, detection.entity.type, detection.entity.value].join(SEPARATOR);
    if (timeMs >= this.nextSweepMs) this.sweep(timeMs);
    const group = this.groups.get(key);
    if (group !== undefined && timeMs < group.closesAtMs) {
      this.groups.delete(key);
      this.groups.set(key, group);
      return { type: 'updated', alert: this.fold(group.alert, detection) };
    }
    if (group === undefined && this.groups.size >= this.maxGroups) this.evictOldest();
    const alert = this.create(detection, detector);
    this.groups.delete(key);
    this.groups.set(key, { alert, closesAtMs: (Number.isNaN(timeMs) ? 0 : timeMs) + this.windowMs });
    return { type: 'created', alert: { ...alert } };
  }

  /**
   * Closes the least recently updated 1 % in one walk. One at a time would start a new
   * iterator per eviction, and a V8 Map iterator walks over every deleted entry still at the
   * head of its table: evicting from a full map of 500,000 one by one costs ~100 µs each.
   */
  private evictOldest(): void {
    let toEvict = Math.max(1, Math.floor(this.maxGroups / 100));
    for (const key of this.groups.keys()) {
      this.groups.delete(key);
      this.evicted++;
      if (--toEvict === 0) break;
    }
  }

  private sweep(nowMs: number): void {
    this.nextSweepMs = nowMs + SWEEP_EVERY_MS;
    for (const [key, group] of this.groups) {
      if (group.closesAtMs > nowMs) break;
      this.groups.delete(key);
    }
  }

  private eventIdsOf(detection: Detection, into: string[] = []): string[] {
    for (const id of detection.eventIds) {
      if (into.length >= this.maxEvidence) break;
      if (EVENT_ID.test(id) && !into.includes(id)) into.push(id);
    }
    return into;
  }

  private create(detection: Detection, detector: string): Alert {
    const { entity } = detection;
    const subject: Alert['subject'] = {};
    if (entity.type === 'ip') subject.ip = clip(entity.value, 64);
    if (entity.type === 'account') subject.accountId = clip(entity.value, 256);
    return {
      id: this.newAlertId(),
      time: detection.time,
      ruleId: clip(detection.ruleId, 256),
      title: clip(withoutEntityValue(detection.title, entity), 512) || detection.ruleId || 'Detection',
      description: clip(withoutEntityValue(detection.description, entity), 8192),
      severity: detection.severity,
      detector: clip(detector, 128),
      status: 'open',
      eventIds: this.eventIdsOf(detection),
      subject,
      tags: detection.tags.slice(0, 64).map((tag) => clip(tag, 128)),
      labels: {},
      entity: { type: entity.type, value: clip(entity.value, 1024) },
      attack: detection.attack.filter((id) => ATTACK_ID.test(id)).slice(0, 32),
      count: 1,
      firstSeen: detection.time,
      lastSeen: detection.time,
      evidence: evidenceOf(detection),
    };
  }

  /** Folds a detection into the group's alert (in place) and returns a copy to hand on. */
  private fold(alert: Alert, detection: Detection): Alert {
    alert.count = (alert.count ?? 1) + 1;
    const lastMs = alert.lastSeen === undefined ? Number.NEGATIVE_INFINITY : Date.parse(alert.lastSeen);
    if (Date.parse(detection.time) > lastMs) alert.lastSeen = detection.time;
    if (SEVERITY_RANK[detection.severity] > SEVERITY_RANK[alert.severity])
      alert.severity = detection.severity;
    alert.evidence = evidenceOf(detection);
    if (alert.eventIds.length < this.maxEvidence)
      alert.eventIds = this.eventIdsOf(detection, [...alert.eventIds]);
    return { ...alert };
  }
}
