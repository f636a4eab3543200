/**
 * The mode feed (api/v1): how remote gateways follow the fail-safe modes in force. Each
 * answer is the whole (short) list of modes in force — name and end time — with a cursor
 * that names that state. With `since` equal to the current cursor and `wait` > 0 the server
 * holds the request (long poll) until a mode is switched (`TOPICS.modes`), `wait` ms pass,
 * the caller goes away or the server closes, then answers the list as it is then. A switch
 * thus reaches a following gateway in one round trip, well under a second. Any other
 * `since` (an older state, another server's) answers at once: the list is always whole,
 * so no cursor can be invalid.
 */
import { createHash } from 'node:crypto';
import { z } from 'zod';
import type { ActiveModeState } from '../../../gateway/modes/enforcer.js';
import { defineRoute } from '../../route.js';
import type { ResolvedApiDeps } from '../../types.js';

/** The longest a request is held; followers ask for less than their client's timeout. */
export const MODE_FEED_MAX_WAIT_MS = 30_000;

export const modeFeedSchema = z.object({
  /** The modes in force now, by name; `until` null: until switched off. */
  modes: z.array(z.object({ name: z.string(), until: z.string().nullable() })),
  /** Names this list; pass it back as `since` to wait for the next change. */
  cursor: z.string(),
});
export type ModeFeed = z.infer<typeof modeFeedSchema>;

async function modesInForce(deps: ResolvedApiDeps): Promise<ModeFeed> {
  const records = await deps.store.modes.listActive(deps.clock.nowMs());
  const modes: ActiveModeState[] = records
    .map((record) => ({ name: record.name, until: record.until }))
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const cursor = createHash('sha256').update(JSON.stringify(modes)).digest('base64url').slice(0, 22);
  return { modes, cursor };
}

const feed = defineRoute('modes', {
  method: 'GET',
  url: '/modes/feed',
  summary:
    'Mode feed for gateways: the modes in force and a cursor; with since = that cursor and wait (ms), held until a mode changes',
  access: 'read:decisions',
  query: z.strictObject({
    since: z.string().max(64).optional(),
    wait: z.coerce.number().int().min(0).max(MODE_FEED_MAX_WAIT_MS).optional(),
  }),
  response: { schema: modeFeedSchema },
  async handler({ query, deps, reply }): Promise<ModeFeed> {
    const waitMs = query.wait ?? 0;
    if (query.since === undefined || waitMs === 0) return modesInForce(deps);
    // Registered before the read: a switch committed during it still wakes this request.
    const wait = deps.modeWatch.next();
    let timer: NodeJS.Timeout | undefined;
    let onGone: (() => void) | undefined;
    try {
      const now = await modesInForce(deps);
      if (now.cursor !== query.since) return now;
      await Promise.race([
        wait.changed,
        new Promise<void>((resolve) => {
          timer = setTimeout(resolve, waitMs);
          onGone = resolve;
          reply.raw.once('close', onGone);
        }),
      ]);
      return await modesInForce(deps);
    } finally {
      wait.cancel();
      if (timer !== undefined) clearTimeout(timer);
      if (onGone !== undefined) reply.raw.off('close', onGone);
    }
  },
});

export const modeFeedRoutes = [feed];
