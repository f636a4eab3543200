/** Security event routes (api/v1): what sources observed, newest first, filtered. */
import { z } from 'zod';
import { EnsuresecError } from '../../../core/errors.js';
import { EVENT_KINDS, isoTimestamp, securityEventSchema } from '../../../core/records/index.js';
import { defineRoute } from '../../route.js';
import { idParams, pageOf, pageQueryShape } from '../../schemas.js';

const list = defineRoute('events', {
  method: 'GET',
  url: '/events',
  summary: 'List security events, newest first, by kind, client ip and time',
  access: 'read',
  query: z.strictObject({
    ...pageQueryShape,
    kind: z.enum(EVENT_KINDS).optional(),
    clientIp: z.string().min(1).max(64).optional(),
    since: isoTimestamp.optional(),
    until: isoTimestamp.optional(),
  }),
  response: { schema: pageOf(securityEventSchema) },
  async handler({ query, deps }) {
    return deps.store.events.list(query);
  },
});

const get = defineRoute('events', {
  method: 'GET',
  url: '/events/:id',
  summary: 'One security event',
  access: 'read',
  params: idParams('evt'),
  response: { schema: securityEventSchema },
  async handler({ params, deps }) {
    const event = await deps.store.events.get(params.id);
    if (!event) throw new EnsuresecError('not_found', { detail: `Event ${params.id} does not exist.` });
    return event;
  },
});

export const eventRoutes = [list, get];
