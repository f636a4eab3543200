/**
 * Playbook variables (response / playbooks, no I/O): `{{ alert.entity.value }}` placeholders
 * in a step's text, checked at load and filled from the run's variables when the step runs.
 * A placeholder whose value is missing fails the step rather than sending an empty string.
 *
 * @example
 *   const parsed = parseTemplate('Ban {{ alert.entity.value }}', ['alert']);
 *   if (parsed.ok) parsed.template.render({ alert }); // 'Ban 203.0.113.7'
 */
import { EnsuresecError } from '../../core/errors.js';
import { lookupPath } from './expression.js';

export interface Template {
  readonly source: string;
  render(variables: Readonly<Record<string, unknown>>): string;
}

export type ParsedTemplate = { ok: true; template: Template } | { ok: false; error: string };

const PLACEHOLDER = /\{\{\s*([^}]*?)\s*\}\}/g;
const PATH = /^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z0-9_]+)*$/;

function textOf(value: unknown): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return JSON.stringify(value);
}

export function parseTemplate(source: string, allowedRoots: readonly string[]): ParsedTemplate {
  const paths: string[] = [];
  for (const match of source.matchAll(PLACEHOLDER)) {
    const path = match[1] ?? '';
    if (!PATH.test(path))
      return { ok: false, error: `"{{ ${path} }}" is not a variable such as {{ alert.id }}` };
    const root = path.split('.')[0] as string;
    if (!allowedRoots.includes(root))
      return {
        ok: false,
        error: `unknown variable "${root}" in {{ ${path} }}; use ${allowedRoots.join(', ')}`,
      };
    paths.push(path);
  }
  const unmatched = source.replace(PLACEHOLDER, '');
  if (unmatched.includes('{{') || unmatched.includes('}}'))
    return { ok: false, error: 'a "{{" without its "}}" (or the other way round)' };
  return {
    ok: true,
    template: {
      source,
      render(variables) {
        return source.replace(PLACEHOLDER, (_whole, path: string) => {
          const value = lookupPath(variables, path.split('.'));
          if (value === null || value === '') {
            throw new EnsuresecError('playbook_step_failed', {
              detail: `{{ ${path} }} has no value for this alert.`,
            });
          }
          return textOf(value);
        });
      },
    },
  };
}

/** Renders a template already checked at load (throws `playbook_step_failed` on a missing value). */
export function renderText(source: string, variables: Readonly<Record<string, unknown>>): string {
  const parsed = parseTemplate(source, Object.keys(variables));
  if (!parsed.ok) throw new EnsuresecError('playbook_step_failed', { detail: parsed.error });
  return parsed.template.render(variables);
}
