/** Status route (api/v1): version, uptime, store, counts and whatever providers report (gateway stats). */
import { defineRoute } from '../../route.js';
import { statusSchema } from '../../schemas.js';

const status = defineRoute('status', {
  method: 'GET',
  url: '/status',
  summary: 'Server version, uptime, store, record counts and component stats',
  access: 'read',
  response: { schema: statusSchema },
  async handler({ request, deps }) {
    const providers: Record<string, unknown> = {};
    for (const [name, provider] of Object.entries(deps.statusProviders ?? {})) {
      try {
        providers[name] = await provider();
      } catch (error) {
        request.log.warn({ err: error, provider: name }, 'status provider failed');
        providers[name] = { error: 'unavailable' };
      }
    }
    const [events, users] = await Promise.all([deps.store.events.count(), deps.store.users.count()]);
    return {
      version: deps.version,
      uptimeSeconds: Math.max(0, Math.round((deps.clock.nowMs() - deps.startedAtMs) / 1000)),
      store: deps.store.description,
      counts: { events, users },
      providers,
    };
  },
});

export const statusRoutes = [status];
