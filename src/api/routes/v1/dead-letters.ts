/** Dead letter routes (api/v1): the sampled inputs sources refused, with the reason, newest first. */
import { z } from 'zod';
import { defineRoute } from '../../route.js';
import { pageOf, pageQueryShape } from '../../schemas.js';

export const deadLetterSchema = z.object({
  id: z.string(),
  source: z.string(),
  reason: z.string(),
  input: z.string(),
  location: z.string().optional(),
  time: z.string(),
});

const list = defineRoute('dead-letters', {
  method: 'GET',
  url: '/dead-letters',
  summary: 'List the inputs sources refused (a sample), newest first, by source and reason',
  access: 'read',
  query: z.strictObject({
    ...pageQueryShape,
    source: z.string().min(1).max(256).optional(),
    reason: z.string().min(1).max(64).optional(),
  }),
  response: { schema: pageOf(deadLetterSchema) },
  async handler({ query, deps }) {
    return deps.store.deadLetters.list(query);
  },
});

export const deadLetterRoutes = [list];
