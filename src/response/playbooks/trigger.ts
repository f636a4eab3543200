/**
 * Does a playbook's trigger take an alert (response / playbooks, no I/O): rule id globs,
 * detectors, a minimum severity, tags, entity types and the condition, all of which must hold.
 *
 * @example triggerMatches({ ruleId: 'ecommerce.credential-stuffing*', minSeverity: 'high', tags: [] }, alert)
 */
import type { Alert, Severity } from '../../core/records/index.js';
import { parseExpression } from './expression.js';
import { VARIABLE_ROOTS, type Playbook } from './schema.js';

const SEVERITY_RANK: Record<Severity, number> = { info: 0, low: 1, medium: 2, high: 3, critical: 4 };

/** `*` any run of characters, `?` one; everything else literal. */
export function globToRegExp(glob: string): RegExp {
  const pattern = glob
    .split('')
    .map((char) => (char === '*' ? '.*' : char === '?' ? '.' : char.replace(/[\\^$.|+()[\]{}]/g, '\\$&')))
    .join('');
  return new RegExp(`^${pattern}$`);
}

const asList = <T>(value: T | T[] | undefined): T[] | undefined =>
  value === undefined ? undefined : Array.isArray(value) ? value : [value];

export function triggerMatches(
  trigger: Playbook['trigger'],
  alert: Alert,
  variables: Readonly<Record<string, unknown>>,
): boolean {
  const rules = asList(trigger.ruleId);
  if (rules && !rules.some((glob) => globToRegExp(glob).test(alert.ruleId))) return false;
  const detectors = asList(trigger.detector);
  if (detectors && !detectors.some((glob) => globToRegExp(glob).test(alert.detector))) return false;
  if (SEVERITY_RANK[alert.severity] < SEVERITY_RANK[trigger.minSeverity]) return false;
  if (!trigger.tags.every((tag) => alert.tags.includes(tag))) return false;
  const entityTypes = asList(trigger.entityType);
  if (entityTypes && (alert.entity === undefined || !entityTypes.includes(alert.entity.type))) return false;
  if (trigger.condition !== undefined) {
    const parsed = parseExpression(trigger.condition, VARIABLE_ROOTS);
    if (!parsed.ok || !parsed.expression.evaluate(variables)) return false;
  }
  return true;
}
