/**
 * NIS2 routes (api/v1): the Art. 21(2) measures (a)-(j) self-assessment for the management body
 * (Art. 20), with the evidence Ensuresec holds, the gaps and what the entity declared; as JSON,
 * or as Markdown with `format=md`.
 */
import { z } from 'zod';
import { EnsuresecError } from '../../../core/errors.js';
import { gatherMeasuresEvidence } from '../../../incidents/measures-evidence.js';
import { assessMeasures } from '../../../regulation/measures/assess.js';
import { renderMeasuresMarkdown } from '../../../regulation/measures/markdown.js';
import { MEASURE_STATUSES } from '../../../regulation/profile.js';
import { defineRoute } from '../../route.js';

const measures = defineRoute('nis2', {
  method: 'GET',
  url: '/nis2/measures',
  summary:
    'The NIS2 Art. 21(2) (a)-(j) self-assessment: status, evidence and gaps per measure (JSON or Markdown)',
  access: 'read',
  query: z.strictObject({ format: z.enum(['json', 'md']).default('json') }),
  response: {
    schema: z.looseObject({
      measures: z.array(
        z.looseObject({ id: z.string(), status: z.enum(MEASURE_STATUSES), gaps: z.array(z.string()) }),
      ),
      summary: z.record(z.string(), z.number()),
      markdown: z.string(),
    }),
    description: 'format=md: text/markdown',
  },
  async handler({ query, deps, reply }) {
    if (deps.entity === undefined) throw new EnsuresecError('entity_profile_missing');
    const evidence = await gatherMeasuresEvidence({
      store: deps.store,
      clock: deps.clock,
      profile: deps.entity,
      totpRequired: deps.config.requireTotpForAdmins,
    });
    const assessment = assessMeasures(evidence, deps.entity);
    const markdown = renderMeasuresMarkdown(assessment);
    if (query.format === 'md') return reply.type('text/markdown; charset=utf-8').send(markdown);
    return { ...assessment, markdown };
  },
});

export const nis2Routes = [measures];
