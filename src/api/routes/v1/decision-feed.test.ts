import { readFileSync } from 'node:fs';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../../core/clock.js';
import { newId } from '../../../core/ids.js';
import { decisionSchema, type Decision } from '../../../core/records/index.js';
import { Ledger } from '../../../ledger/index.js';
import {
  postgresAvailability,
  selectedDialects,
  sqliteHarness,
  type DialectHarness,
} from '../../../store/fixtures/dialects.js';
import type { Store } from '../../../store/store.js';
import { startHarness, type Harness } from '../../testing/harness.js';
import type { DecisionFeed } from './decision-feed.js';

interface Fixture {
  decisions: Array<Record<string, unknown>>;
  badCursors: string[];
}
const fixture = JSON.parse(
  readFileSync(new URL('./fixtures/decision-feed.json', import.meta.url), 'utf8'),
) as Fixture;

describe('decision feed API', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(() => h.close());

  async function feed(since?: string, token = h.tokens.gateway): Promise<DecisionFeed> {
    const query = since === undefined ? '' : `?since=${encodeURIComponent(since)}`;
    const res = await h.call('GET', `/api/v1/decisions/feed${query}`, { token });
    expect(res.statusCode, res.body).toBe(200);
    return res.json() as DecisionFeed;
  }
  async function create(body: Record<string, unknown>): Promise<Decision> {
    const res = await h.call('POST', '/api/v1/decisions', { token: h.tokens.analyst, body });
    expect(res.statusCode, res.body).toBe(201);
    return res.json() as Decision;
  }

  it('starts with the full list in force and a cursor, then hands out only what changed', async () => {
    const startup = await feed();
    expect(startup).toMatchObject({ full: true, new: [], deleted: [] });

    const created = [];
    for (const body of fixture.decisions) created.push(await create(body));
    const changes = await feed(startup.cursor);
    expect(changes.full).toBe(false);
    expect(changes.new.map((d) => d.id)).toEqual(created.map((d) => d.id));
    expect(changes.new.map((d) => [d.scope, d.origin, d.reason])).toContainEqual([
      'ip',
      'api',
      'credential stuffing',
    ]);
    // Who within the origin: the analyst's API token.
    expect(changes.new.every((d) => /^token:tok_/.test(d.originRef ?? ''))).toBe(true);
    expect(await feed(changes.cursor)).toMatchObject({ new: [], deleted: [], full: false });

    const [first, second] = created as [Decision, Decision];
    expect(
      (await h.call('DELETE', `/api/v1/decisions/${first.id}`, { token: h.tokens.analyst })).statusCode,
    ).toBe(204);
    const afterDelete = await feed(changes.cursor);
    expect(afterDelete).toMatchObject({ new: [], deleted: [first.id] });

    // The session ban (10m) and the ja4 challenge (30m) expire; no change row says so.
    h.clock.advance(31 * 60_000);
    const afterExpiry = await feed(afterDelete.cursor);
    expect(afterExpiry.new).toEqual([]);
    expect([...afterExpiry.deleted].sort()).toEqual([created[2]?.id, created[4]?.id].sort());
    expect(await feed(afterExpiry.cursor)).toMatchObject({ new: [], deleted: [] });

    const restart = await feed();
    expect(restart.full).toBe(true);
    expect(restart.new.map((d) => d.id).sort()).toEqual([second.id, created[3]?.id].sort());
  });

  it('says invalid_cursor for a cursor it never handed out, so the follower restarts', async () => {
    for (const since of fixture.badCursors) {
      const res = await h.call('GET', `/api/v1/decisions/feed?since=${encodeURIComponent(since)}`, {
        token: h.tokens.gateway,
      });
      expect([since, res.statusCode, (res.json() as { error: { code: string } }).error.code]).toEqual([
        since,
        400,
        'invalid_cursor',
      ]);
    }
  });

  it('lets the gateway role read the feed and nothing else', async () => {
    const asGateway = async (method: 'GET' | 'POST', url: string) =>
      (await h.call(method, url, { token: h.tokens.gateway, ...(method === 'POST' ? { body: {} } : {}) }))
        .statusCode;
    expect(await asGateway('GET', '/api/v1/decisions/feed')).toBe(200);
    expect(await asGateway('GET', '/api/v1/decisions')).toBe(403);
    expect(await asGateway('GET', '/api/v1/alerts')).toBe(403);
    expect(await asGateway('POST', '/api/v1/decisions')).toBe(403);
    const others = await Promise.all(
      [h.tokens.partner, h.tokens.source, undefined].map(
        async (token) => (await h.call('GET', '/api/v1/decisions/feed', token ? { token } : {})).statusCode,
      ),
    );
    expect(others).toEqual([403, 403, 401]);
    expect((await h.call('GET', '/api/v1/decisions/feed', { token: h.tokens.viewer })).statusCode).toBe(200);
  });
});

const harnesses: DialectHarness[] = [];
const dialects = selectedDialects();
if (dialects.includes('sqlite')) harnesses.push(sqliteHarness());
if (dialects.includes('postgres')) {
  const availability = await postgresAvailability();
  if ('harness' in availability) harnesses.push(availability.harness);
  else if (process.env['CI']) throw new Error(availability.unavailableReason);
  else console.warn(`skipping the PostgreSQL decision feed store tests: ${availability.unavailableReason}`);
}

for (const harness of harnesses) {
  describe(`decision change sequence on ${harness.name}`, () => {
    const clock = new ManualClock(Date.parse('2026-03-01T12:00:00.000Z'));
    const opened: Store[] = [];
    afterEach(async () => {
      await Promise.all(opened.splice(0).map((store) => store.close()));
    });
    afterAll(() => harness.dispose());

    async function fresh(): Promise<{ store: Store; ledger: Ledger }> {
      const store = await harness.openFresh();
      opened.push(store);
      await store.migrate();
      const ledger = await Ledger.open({ store, pseudonymisationKey: Buffer.alloc(32, 7), clock });
      return { store, ledger };
    }
    const decision = (value: string, expiresAt: string | null): Decision =>
      decisionSchema.parse({
        id: newId('dec', clock.nowMs()),
        createdAt: new Date(clock.nowMs()).toISOString(),
        action: 'ban',
        scope: 'ip',
        value,
        expiresAt,
        origin: 'playbook',
        originRef: 'playbook:credential-stuffing',
      });
    const commitCreate = (ledger: Ledger, d: Decision) =>
      ledger.commit({
        kind: 'decision.created',
        actor: 'usr_test',
        write: async (tx) => {
          await tx.decisions.insert(d);
          return d;
        },
      });

    it('numbers creations and deletions in the ledger transaction, and a failed write leaves no change', async () => {
      const { store, ledger } = await fresh();
      expect(await store.decisions.lastChangeSeq()).toBe(0);
      const kept = decision('192.0.2.1', null);
      await commitCreate(ledger, kept);
      await expect(
        ledger.commit({
          kind: 'decision.created',
          actor: 'usr_test',
          write: async (tx) => {
            await tx.decisions.insert(decision('192.0.2.2', null));
            throw new Error('playbook step failed after the insert');
          },
        }),
      ).rejects.toThrow('playbook step failed');
      await ledger.commit({
        kind: 'decision.deleted',
        actor: 'usr_test',
        write: async (tx) => ((await tx.decisions.delete(kept.id)) ? kept : undefined),
      });
      const changes = await store.decisions.changesAfter(0, 100);
      expect(changes.map((c) => [c.seq, c.kind, c.decisionId])).toEqual([
        [1, 'created', kept.id],
        [2, 'deleted', kept.id],
      ]);
      expect(changes[0]?.decision).toBeUndefined();
      expect(await store.decisions.changesAfter(1, 100)).toHaveLength(1);
    });

    it('hands out one gap-free sequence to concurrent writers', async () => {
      const { store, ledger } = await fresh();
      const many = Array.from({ length: 12 }, (_, i) => decision(`192.0.2.${i + 10}`, null));
      await Promise.all(many.map((d) => commitCreate(ledger, d)));
      const changes = await store.decisions.changesAfter(0, 100);
      expect(changes.map((c) => c.seq)).toEqual(many.map((_, i) => i + 1));
      expect(new Set(changes.map((c) => c.decisionId))).toEqual(new Set(many.map((d) => d.id)));
      expect(changes.every((c) => c.decision?.originRef === 'playbook:credential-stuffing')).toBe(true);
    });

    it('numbers the decisions stored before 011 as created, oldest first', async () => {
      const { store: raw, sql, reopen } = await harness.openFreshWithSql();
      try {
        await raw.migrate();
        const older = [decision('192.0.2.40', null), decision('192.0.2.41', null)];
        for (const d of older) await raw.decisions.insert(d);
        // Back to the schema of before 011 (the decisions stay), then migrate again.
        await sql.run('drop table decision_changes');
        await sql.run("delete from ensuresec_migrations where name = '011-decision-feed'");
        const again = await reopen();
        opened.push(again);
        expect(await again.migrate()).toEqual(['011-decision-feed']);
        const changes = await again.decisions.changesAfter(0, 100);
        expect(changes.map((c) => [c.seq, c.kind, c.decisionId])).toEqual([
          [1, 'created', older[0]?.id],
          [2, 'created', older[1]?.id],
        ]);
      } finally {
        await sql.close();
        await raw.close();
      }
    });

    it('finds the decisions that expired between two instants', async () => {
      const { store, ledger } = await fresh();
      const base = clock.nowMs();
      const soon = decision('192.0.2.30', new Date(base + 60_000).toISOString());
      const later = decision('192.0.2.31', new Date(base + 120_000).toISOString());
      await commitCreate(ledger, soon);
      await commitCreate(ledger, later);
      await commitCreate(ledger, decision('192.0.2.32', null));
      expect(await store.decisions.expiredBetween(base, base + 60_000)).toEqual([soon.id]);
      expect(await store.decisions.expiredBetween(base + 60_000, base + 180_000)).toEqual([later.id]);
      expect(await store.decisions.expiredBetween(base + 180_000, base + 999_000)).toEqual([]);
    });
  });
}
