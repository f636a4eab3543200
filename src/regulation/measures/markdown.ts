/**
 * The Art. 21(2) self-assessment as Markdown for the management body (regulation, no I/O):
 * the approval (Art. 20), a summary table, then each measure with its status, evidence and gaps.
 *
 * @example renderMeasuresMarkdown(assessMeasures(evidence, profile))
 */
import type { MeasuresAssessment } from './assess.js';

const STATUS_LABEL = {
  implemented: 'implemented',
  partial: 'PARTIAL',
  missing: 'MISSING',
  unknown: 'unknown',
} as const;

export function renderMeasuresMarkdown(assessment: MeasuresAssessment): string {
  const approval = assessment.managementApproval;
  const lines = [
    `# NIS2 Art. 21(2) measures: self-assessment of ${assessment.entity.name}`,
    '',
    `- Legal basis: ${assessment.reference}`,
    `- Entity type: ${assessment.entity.type.replaceAll('_', ' ')}`,
    `- Generated: ${assessment.generatedAt}; records since ${assessment.since}`,
    `- Management body approval (Art. 20): ${
      approval
        ? `${approval.approvedBy}, ${approval.approvedAt}${approval.policyVersion ? `, policy ${approval.policyVersion}` : ''}`
        : '**none recorded**'
    }`,
    `- Summary: ${assessment.summary.implemented} implemented, ${assessment.summary.partial} partial, ${assessment.summary.missing} missing, ${assessment.summary.unknown} unknown`,
    '',
    '| Measure | Status | Basis | Gaps |',
    '| --- | --- | --- | --- |',
    ...assessment.measures.map(
      (measure) =>
        `| (${measure.id}) ${measure.title} | ${STATUS_LABEL[measure.status]} | ${measure.basis} | ${measure.gaps.length} |`,
    ),
  ];
  for (const gap of assessment.governanceGaps) lines.push('', `**${gap}**`);
  for (const measure of assessment.measures) {
    lines.push('', `## (${measure.id}) ${measure.title}`, '', `_${measure.reference}_`, '');
    lines.push(`Status: **${STATUS_LABEL[measure.status]}** (${measure.basis})`);
    if (measure.declared?.owner) lines.push(`Owner: ${measure.declared.owner}`);
    if (measure.declared?.reviewedAt) lines.push(`Last reviewed: ${measure.declared.reviewedAt}`);
    lines.push('', 'Evidence:', '');
    lines.push(...(measure.evidence.length > 0 ? measure.evidence.map((item) => `- ${item}`) : ['- none']));
    lines.push('', 'Gaps:', '');
    lines.push(...(measure.gaps.length > 0 ? measure.gaps.map((item) => `- ${item}`) : ['- none']));
  }
  return lines.join('\n') + '\n';
}
