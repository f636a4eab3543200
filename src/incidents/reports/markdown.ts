/**
 * A report draft as Markdown (incidents, no I/O): a heading, the entity and incident, the
 * deadline, then one section per field with its legal reference; a missing field says so in
 * bold so nobody sends the draft by mistake.
 *
 * @example renderMarkdown(buildDraft('early_warning', view, profile, now))
 */
import type { ReportDraft } from './drafts.js';

function valueText(value: unknown): string {
  if (value === null) return '_(none)_';
  if (typeof value === 'string') return value;
  if (Array.isArray(value) && value.every((item) => typeof item === 'string'))
    return value.map((item) => `- ${item}`).join('\n');
  return '```json\n' + JSON.stringify(value, null, 2) + '\n```';
}

export function renderMarkdown(draft: ReportDraft): string {
  const lines = [
    `# ${draft.title} — DRAFT`,
    '',
    `- Legal basis: ${draft.reference}`,
    `- Entity: ${draft.entity.name} (${draft.entity.type.replaceAll('_', ' ')}; ${draft.entity.memberStates.join(', ')})`,
    `- Incident: ${draft.incident.id} — ${draft.incident.title} (${draft.incident.status})`,
    `- Due: ${draft.dueLocal ?? 'no deadline yet'}${draft.dueAt ? ` (${draft.dueAt} UTC)` : ''}`,
    `- Drafted: ${draft.generatedAt}`,
  ];
  if (draft.missing.length > 0) lines.push('', `**Missing before sending: ${draft.missing.join(', ')}.**`);
  for (const field of draft.fields) {
    lines.push(
      '',
      `## ${field.label}`,
      '',
      `_${field.reference}; ${field.requirement.replaceAll('_', ' ')}_`,
      '',
    );
    lines.push(field.missing ? '**MISSING**' : valueText(field.value));
  }
  return lines.join('\n') + '\n';
}
