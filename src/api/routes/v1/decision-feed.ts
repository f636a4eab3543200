/**
 * The decision feed (api/v1): how remote gateways follow the decisions, as CrowdSec's
 * bouncers follow their stream. Without `since`: every decision in force plus a cursor.
 * With `since`: what changed after that cursor — `new` decisions and the ids of those
 * `deleted` or expired since — plus the next cursor. The cursor is `<seq>.<ms>`: the last
 * change seen in the store's `decision_changes` sequence and the instant of the read, so
 * expiries need no change row (they are computed from `expiresAt` between two reads).
 */
import { z } from 'zod';
import { EnsuresecError } from '../../../core/errors.js';
import { decisionSchema, type Decision } from '../../../core/records/index.js';
import { defineRoute } from '../../route.js';

/** Changes handed out per answer; a follower that is further behind catches up over polls. */
export const FEED_PAGE_LIMIT = 5_000;
const CURSOR_PATTERN = /^(\d{1,15})\.(\d{1,15})$/;

export const decisionFeedSchema = z.object({
  /** True when `new` is the whole list in force (startup): replace, do not merge. */
  full: z.boolean(),
  new: z.array(decisionSchema),
  deleted: z.array(z.string()),
  cursor: z.string(),
});
export type DecisionFeed = z.infer<typeof decisionFeedSchema>;

interface Cursor {
  seq: number;
  ms: number;
}

const formatCursor = (cursor: Cursor): string => `${cursor.seq}.${cursor.ms}`;

function invalidCursor(since: string): EnsuresecError {
  return new EnsuresecError('invalid_cursor', {
    detail: `The feed cursor "${since.slice(0, 64)}" is unknown to this server; ask again without since for the full list.`,
  });
}

const inForceAt = (decision: Decision, nowMs: number): boolean =>
  decision.expiresAt === null || Date.parse(decision.expiresAt) > nowMs;

const feed = defineRoute('decisions', {
  method: 'GET',
  url: '/decisions/feed',
  summary: 'Decision feed for gateways: without since, all in force; with since, new and deleted after it',
  access: 'read:decisions',
  query: z.strictObject({ since: z.string().max(64).optional() }),
  response: { schema: decisionFeedSchema },
  async handler({ query, deps }): Promise<DecisionFeed> {
    const decisions = deps.store.decisions;
    // The position is read before the decisions: a change racing this read then shows up
    // again in the next answer (harmless, ids are keys) instead of being missed.
    const lastSeq = await decisions.lastChangeSeq();
    const nowMs = deps.clock.nowMs();
    if (query.since === undefined) {
      const active = await decisions.listActive(new Date(nowMs).toISOString());
      return { full: true, new: active, deleted: [], cursor: formatCursor({ seq: lastSeq, ms: nowMs }) };
    }
    const match = CURSOR_PATTERN.exec(query.since);
    const since: Cursor | undefined = match ? { seq: Number(match[1]), ms: Number(match[2]) } : undefined;
    // A seq beyond the store's last change comes from another store (or one restored from
    // an older backup): nothing after it can be trusted, so the follower starts over.
    if (since === undefined || since.seq > lastSeq || since.ms > nowMs) throw invalidCursor(query.since);
    const changes = await decisions.changesAfter(since.seq, FEED_PAGE_LIMIT);
    const fresh = new Map<string, Decision>();
    const deleted = new Set<string>();
    for (const change of changes) {
      if (change.kind === 'deleted') {
        fresh.delete(change.decisionId);
        deleted.add(change.decisionId);
      } else if (change.decision !== undefined && inForceAt(change.decision, nowMs)) {
        fresh.set(change.decisionId, change.decision);
      }
    }
    for (const id of await decisions.expiredBetween(since.ms, nowMs)) {
      fresh.delete(id);
      deleted.add(id);
    }
    const seq = changes.at(-1)?.seq ?? since.seq;
    return {
      full: false,
      new: [...fresh.values()],
      deleted: [...deleted],
      cursor: formatCursor({ seq, ms: nowMs }),
    };
  },
});

export const decisionFeedRoutes = [feed];
