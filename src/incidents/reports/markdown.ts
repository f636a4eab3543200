/**
 * A report as Markdown (incidents, no I/O): a heading, the entity and incident, the deadline,
 * then one section per field with its legal reference; a missing field says so in bold so
 * nobody sends the draft by mistake. A draft is headed DRAFT; a frozen version shows its
 * number, when and by whom it was frozen, its digest and its indicators of compromise.
 *
 * @example renderMarkdown(buildDraft('early_warning', view, profile, now))
 * @example renderMarkdown(report, frozenStatusOf(report))
 */
import type { ReportField } from '../../core/records/incident-report.js';
import type { ReportDraft } from './drafts.js';

/** What every report shows, draft or frozen. */
export type ReportContent = Pick<
  ReportDraft,
  'title' | 'reference' | 'entity' | 'incident' | 'dueAt' | 'dueLocal' | 'missing'
> & { fields: readonly ReportField[]; generatedAt?: string };

export interface FrozenStatus {
  version: number;
  frozenAt: string;
  frozenBy: string;
  sha256: string;
  indicators: readonly { type: string; value: string }[];
}

export function frozenStatusOf(report: FrozenStatus): FrozenStatus {
  return {
    version: report.version,
    frozenAt: report.frozenAt,
    frozenBy: report.frozenBy,
    sha256: report.sha256,
    indicators: report.indicators,
  };
}

export function valueText(value: unknown): string {
  if (value === null || value === undefined) return '_(none)_';
  if (typeof value === 'string') return value;
  if (Array.isArray(value) && value.every((item) => typeof item === 'string'))
    return value.map((item) => `- ${item}`).join('\n');
  return '```json\n' + JSON.stringify(value, null, 2) + '\n```';
}

/** The lines under the title: legal basis, entity, incident, deadline, and draft or version. */
export function headerLines(report: ReportContent, frozen?: FrozenStatus): string[] {
  const lines = [
    `Legal basis: ${report.reference}`,
    `Entity: ${report.entity.name} (${report.entity.type.replaceAll('_', ' ')}; ${report.entity.memberStates.join(', ')})`,
    `Incident: ${report.incident.id} — ${report.incident.title} (${report.incident.status})`,
    `Due: ${report.dueLocal ?? 'no deadline yet'}${report.dueAt ? ` (${report.dueAt} UTC)` : ''}`,
  ];
  if (frozen) {
    lines.push(
      `Version ${frozen.version}, frozen ${frozen.frozenAt} by ${frozen.frozenBy}`,
      `SHA-256 of the JSON export: ${frozen.sha256}`,
    );
  } else if (report.generatedAt) lines.push(`Drafted: ${report.generatedAt}`);
  return lines;
}

export function titleOf(report: ReportContent, frozen?: FrozenStatus): string {
  return `${report.title} — ${frozen ? `v${frozen.version}` : 'DRAFT'}`;
}

export function renderMarkdown(report: ReportContent, frozen?: FrozenStatus): string {
  const lines = [
    `# ${titleOf(report, frozen)}`,
    '',
    ...headerLines(report, frozen).map((line) => `- ${line}`),
  ];
  if (report.missing.length > 0) lines.push('', `**Missing before sending: ${report.missing.join(', ')}.**`);
  for (const field of report.fields) {
    const edited = field.override
      ? `; edited by ${field.override.by} at ${field.override.at}${field.override.reason ? ` (${field.override.reason})` : ''}`
      : '';
    lines.push(
      '',
      `## ${field.label}`,
      '',
      `_${field.reference}; ${field.requirement.replaceAll('_', ' ')}${edited}_`,
      '',
    );
    lines.push(field.missing ? '**MISSING**' : valueText(field.value));
  }
  if (frozen && frozen.indicators.length > 0) {
    lines.push('', '## Indicators of compromise (attached as a STIX 2.1 bundle)', '');
    for (const indicator of frozen.indicators) lines.push(`- ${indicator.type}: \`${indicator.value}\``);
  }
  return lines.join('\n') + '\n';
}
