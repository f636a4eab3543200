/**
 * Sigma rules and correlations as a Detector (detect/pipeline): turns the engine's matches
 * into Detections so the pipeline treats them like the built-in detectors. A rule match is
 * about the event's client address (else its route); a correlation is about its group-by
 * values (an address, an account, a session... else the rule itself, as a route entity).
 *
 * @example
 * const sigma = sigmaAsDetector(createSigmaDetector(await loadSigmaRules('rules/')));
 * for (const d of sigma.observe(event)) console.log(d.ruleId, d.entity);
 */
import type { Severity } from '../../core/records/common.js';
import type { SecurityEvent } from '../../core/records/index.js';
import type { CorrelationMatch } from '../correlation/types.js';
import type { SigmaDetector } from '../correlation/detector.js';
import type { Detection, DetectionEntity, Detector } from '../detector.js';
import type { SigmaLevel, SigmaMatch } from '../sigma/types.js';

export const SIGMA_DETECTOR_NAME = 'sigma';

const SEVERITY_OF_LEVEL: Record<SigmaLevel, Severity> = {
  informational: 'info',
  low: 'low',
  medium: 'medium',
  high: 'high',
  critical: 'critical',
};

const ATTACK_TECHNIQUE = /^attack\.(t\d{4}(?:\.\d{3})?)$/i;

/** `attack.t1190` → `T1190`; other tags (tactics, CVEs) are not techniques. */
export function attackTechniques(tags: readonly string[]): string[] {
  const out: string[] = [];
  for (const tag of tags) {
    const found = ATTACK_TECHNIQUE.exec(tag);
    if (found && out.length < 32) out.push(found[1]!.toUpperCase());
  }
  return out;
}

/** Which entity type a correlation's group-by field names, by its usual Sigma or SecurityEvent spelling. */
const GROUP_FIELD_ENTITIES: Array<[RegExp, DetectionEntity['type']]> = [
  [/(^|[._-])(c-ip|src_?ip|client\.ip|ip|clientip|srcip)$/i, 'ip'],
  [/(user|account|username)/i, 'account'],
  [/session/i, 'session'],
  [/ja4/i, 'ja4'],
  [/device/i, 'device'],
  [/card/i, 'card'],
  [/order/i, 'order'],
];

function entityOfGroup(group: Record<string, string>, ruleId: string): DetectionEntity {
  for (const [pattern, type] of GROUP_FIELD_ENTITIES) {
    for (const [field, value] of Object.entries(group)) {
      if (value !== '' && pattern.test(field)) return { type, value: value.slice(0, 1024) };
    }
  }
  const values = Object.values(group).filter((value) => value !== '');
  return { type: 'route', value: (values.length > 0 ? values.join(' ') : ruleId).slice(0, 1024) };
}

function entityOfEvent(event: SecurityEvent): DetectionEntity {
  if (event.client?.ip) return { type: 'ip', value: event.client.ip };
  if (event.http)
    return { type: 'route', value: `${event.http.method} ${event.http.route ?? event.http.path}` };
  return { type: 'route', value: event.source.name };
}

function fromMatch(match: SigmaMatch, event: SecurityEvent): Detection {
  const evidence: Detection['evidence'] = { logsource: match.logsource };
  for (const [field, value] of Object.entries(match.fields)) evidence[field] = value;
  return {
    ruleId: match.ruleId,
    title: match.title,
    description: '',
    severity: SEVERITY_OF_LEVEL[match.level],
    eventIds: [match.eventId],
    entity: entityOfEvent(event),
    attack: attackTechniques(match.tags),
    tags: match.tags.slice(0, 64),
    time: match.eventTime,
    evidence,
  };
}

function fromCorrelation(match: CorrelationMatch): Detection {
  const evidence: Detection['evidence'] = {
    correlation: match.type,
    count: match.count,
    firstTime: match.firstTime,
  };
  for (const [field, value] of Object.entries(match.group)) evidence[field] = value;
  return {
    ruleId: match.ruleId,
    title: match.title,
    description: '',
    severity: SEVERITY_OF_LEVEL[match.level],
    eventIds: match.eventIds.slice(0, 1000),
    entity: entityOfGroup(match.group, match.ruleId),
    attack: attackTechniques(match.tags),
    tags: match.tags.slice(0, 64),
    time: match.lastTime,
    evidence,
  };
}

export interface SigmaAsDetector extends Detector {
  readonly activeRules: number;
  /** End of input: the correlations whose windows were still open. */
  flush(): Detection[];
}

export function sigmaAsDetector(sigma: SigmaDetector): SigmaAsDetector {
  return {
    name: SIGMA_DETECTOR_NAME,
    activeRules: sigma.sigma.rules.filter((status) => status.active).length,
    observe(event) {
      const { matches, correlations } = sigma.process(event);
      if (matches.length === 0 && correlations.length === 0) return [];
      const out: Detection[] = [];
      for (const match of matches) out.push(fromMatch(match, event));
      for (const match of correlations) out.push(fromCorrelation(match));
      return out;
    },
    stateSize() {
      let keys = 0;
      for (const rule of sigma.correlation.stats()) keys += rule.keys;
      return keys;
    },
    flush: () => sigma.flush().map(fromCorrelation),
  };
}
