/**
 * The Art. 21(2) self-assessment from labelled cases (fixtures/cases.json over
 * fixtures/base-evidence.json): the status, basis, gaps and evidence of each measure, the Art. 20
 * approval, and the Markdown for the management body.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { entityProfileSchema } from '../profile.js';
import { assessMeasures, type MeasuresEvidence } from './assess.js';
import { renderMeasuresMarkdown } from './markdown.js';

const read = (path: string): unknown => JSON.parse(readFileSync(join(import.meta.dirname, path), 'utf8'));
const base = read('fixtures/base-evidence.json') as MeasuresEvidence;
const baseProfile = read('../fixtures/profiles/marketplace.json') as Record<string, unknown>;

interface Case {
  name: string;
  evidence?: { [K in keyof MeasuresEvidence]?: Partial<MeasuresEvidence[K]> };
  profile?: Record<string, unknown>;
  expected: Record<string, string>;
  basis?: Record<string, string>;
  gapContains?: Record<string, string>;
  evidenceContains?: Record<string, string>;
  governanceGaps?: number;
}

function evidenceOf(patch: Case['evidence'] = {}): MeasuresEvidence {
  return {
    ...base,
    incidents: { ...base.incidents, ...patch.incidents },
    findings: { ...base.findings, ...patch.findings },
    admins: { ...base.admins, ...patch.admins },
  };
}

describe('Art. 21(2) self-assessment', () => {
  it.each(read('fixtures/cases.json') as Case[])('$name', (example) => {
    const profile = entityProfileSchema.parse({ ...baseProfile, ...example.profile });
    const assessment = assessMeasures(evidenceOf(example.evidence), profile);
    expect(assessment.measures.map((measure) => measure.id)).toEqual([
      'a',
      'b',
      'c',
      'd',
      'e',
      'f',
      'g',
      'h',
      'i',
      'j',
    ]);
    const byId = new Map(assessment.measures.map((measure) => [measure.id as string, measure]));
    for (const [id, status] of Object.entries(example.expected))
      expect(byId.get(id)?.status, id).toBe(status);
    for (const [id, basis] of Object.entries(example.basis ?? {}))
      expect(byId.get(id)?.basis, id).toBe(basis);
    for (const [id, text] of Object.entries(example.gapContains ?? {}))
      expect(byId.get(id)?.gaps.join('\n'), id).toContain(text);
    for (const [id, text] of Object.entries(example.evidenceContains ?? {}))
      expect(byId.get(id)?.evidence.join('\n'), id).toContain(text);
    if (example.governanceGaps !== undefined)
      expect(assessment.governanceGaps).toHaveLength(example.governanceGaps);
    const total = Object.values(assessment.summary).reduce((sum, count) => sum + count, 0);
    expect(total).toBe(10);
  });

  it('writes the Markdown for the management body, with the approval or its absence', () => {
    const unapproved = renderMeasuresMarkdown(
      assessMeasures(evidenceOf({ admins: { withTotp: 1 } }), entityProfileSchema.parse(baseProfile)),
    );
    expect(unapproved).toContain('# NIS2 Art. 21(2) measures: self-assessment of Example Marketplace GmbH');
    expect(unapproved).toContain('Management body approval (Art. 20): **none recorded**');
    expect(unapproved).toContain(
      '| (j) Multi-factor or continuous authentication; secured communications where appropriate | PARTIAL | ensuresec | 1 |',
    );
    expect(unapproved).toContain('- 1 administrator(s) sign in without a second factor.');
    expect(unapproved.match(/^## \([a-j]\) /gm)).toHaveLength(10);
    const approved = renderMeasuresMarkdown(
      assessMeasures(
        base,
        entityProfileSchema.parse({
          ...baseProfile,
          managementApproval: {
            approvedBy: 'Board',
            approvedAt: '2026-09-15T10:00:00Z',
            policyVersion: '2.1',
          },
        }),
      ),
    );
    expect(approved).toContain('Management body approval (Art. 20): Board, 2026-09-15T10:00:00Z, policy 2.1');
  });
});
