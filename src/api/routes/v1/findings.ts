/** Finding routes (api/v1): weaknesses the scanner found in the shop. */
import { z } from 'zod';
import { findingSchema } from '../../../core/records/index.js';
import { defineRoute } from '../../route.js';
import { pageOf, pageQueryShape } from '../../schemas.js';

const list = defineRoute('findings', {
  method: 'GET',
  url: '/findings',
  summary: 'List scanner findings, newest first, by target and status',
  access: 'read',
  query: z.strictObject({
    ...pageQueryShape,
    target: z.string().min(1).max(2048).optional(),
    status: z.enum(['open', 'fixed', 'accepted']).optional(),
  }),
  response: { schema: pageOf(findingSchema) },
  async handler({ query, deps }) {
    return deps.store.findings.list(query);
  },
});

export const findingRoutes = [list];
