/**
 * Sigma correlation rules (detect/correlation): the parsed meta-rule and its match.
 * Counts are integers, so every condition is kept as an inclusive range [min, max].
 */
import type { SigmaLevel } from '../sigma/types.js';

export const CORRELATION_TYPES = ['event_count', 'value_count', 'temporal', 'temporal_ordered'] as const;
export type CorrelationType = (typeof CORRELATION_TYPES)[number];

export interface CountRange {
  /** Inclusive lower bound (gte; gt n is n + 1), 0 when none. */
  min: number;
  /** Inclusive upper bound (lte; lt n is n - 1), Infinity when none. */
  max: number;
}

export interface CorrelationRule {
  id: string;
  name?: string;
  title: string;
  status?: string;
  level: SigmaLevel;
  description?: string;
  tags: string[];
  type: CorrelationType;
  /** Referenced rules (Sigma or correlation), by id or name, in the order written. */
  rules: string[];
  groupBy: string[];
  timespanMs: number;
  condition: CountRange;
  /** value_count: the field whose distinct values are counted. */
  valueField?: string;
  /** alias name -> (rule name or id -> field in that rule's events). */
  aliases: Record<string, Record<string, string>>;
  /** Whether the referenced rules also report their own matches (default false). */
  generate: boolean;
  file: string;
  document: number;
}

export interface CorrelationMatch {
  ruleId: string;
  ruleName?: string;
  title: string;
  level: SigmaLevel;
  tags: string[];
  type: CorrelationType;
  /** The group-by values of the group that fired. */
  group: Record<string, string>;
  /** The count that met the condition (events, distinct values, or rules seen). */
  count: number;
  /** Event time of the first and the last event counted (ISO 8601). */
  firstTime: string;
  lastTime: string;
  /** Ids of the events that made the match (at most MAX_EVIDENCE_EVENTS, the latest kept). */
  eventIds: string[];
}
