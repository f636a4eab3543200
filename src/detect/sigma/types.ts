/**
 * The Sigma engine's public shapes (detect/sigma): a parsed rule, a load problem and a match.
 * A match is a plain value; turning matches into Alert records is the alerts stage's job.
 */
import type { ErrorCode } from '../../core/errors.js';
import type { ConditionNode } from './condition.js';
import type { FieldTest } from './modifiers.js';

export const SIGMA_LEVELS = ['informational', 'low', 'medium', 'high', 'critical'] as const;
export type SigmaLevel = (typeof SIGMA_LEVELS)[number];

export interface SigmaLogSource {
  category?: string;
  product?: string;
  service?: string;
  definition?: string;
}

/** A named search: OR over its alternatives, AND over the field tests of one alternative. */
export interface SigmaSelection {
  name: string;
  alternatives: FieldTest[][];
}

export interface SigmaRule {
  /** The rule's `id`, else its `name`, else `file#document`. */
  id: string;
  name?: string;
  title: string;
  status?: string;
  /** As the rule says; `medium` when it says nothing. */
  level: SigmaLevel;
  description?: string;
  author?: string;
  tags: string[];
  references: string[];
  falsepositives: string[];
  /** Fields the rule suggests showing with a match. */
  fields: string[];
  logsource: SigmaLogSource;
  selections: Map<string, SigmaSelection>;
  condition: ConditionNode;
  /** Where the rule came from: the file and the YAML document (1-based) inside it. */
  file: string;
  document: number;
}

/** A rule (or a whole file) that could not be loaded: `file: reason`. */
export interface SigmaProblem {
  /** The catalogue code (src/core/errors.ts) a caller reports this with. */
  code: Extract<ErrorCode, 'sigma_rule_invalid'>;
  file: string;
  document?: number;
  ruleId?: string;
  title?: string;
  reason: string;
}

export interface SigmaMatch {
  ruleId: string;
  ruleName?: string;
  title: string;
  level: SigmaLevel;
  tags: string[];
  eventId: string;
  /** The event's own time (ISO 8601), never the wall clock. */
  eventTime: string;
  /** The rule's log source, e.g. `webserver`, `proxy`, `service:apache`. */
  logsource: string;
  /** The values of the rule's `fields:` list in this event (absent ones left out). */
  fields: Record<string, string | number | boolean>;
}

export function problemText(problem: SigmaProblem): string {
  const where = problem.document !== undefined ? `${problem.file}#${problem.document}` : problem.file;
  return `${where}: ${problem.reason}`;
}
