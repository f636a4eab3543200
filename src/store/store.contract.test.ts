/**
 * The Store contract: one suite, run on every dialect (SQLite always; PostgreSQL when
 * reachable, and required when CI is set). ENSURESEC_TEST_DIALECTS=sqlite narrows the run.
 */
import { MIGRATIONS } from './migrations/index.js';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { EnsuresecError } from '../core/errors.js';
import { newId, ulid } from '../core/ids.js';
import {
  postgresAvailability,
  selectedDialects,
  sqliteHarness,
  type DialectHarness,
} from './fixtures/dialects.js';
import {
  sampleAlert,
  sampleDecision,
  sampleEvent,
  sampleFinding,
  sampleIncident,
  sampleSession,
  sampleToken,
  sampleUser,
} from './fixtures/sample-records.js';
import { openStore } from './index.js';
import type { DeadLetterRecord, Page, Store } from './store.js';

async function expectCode(promise: Promise<unknown>, code: string): Promise<void> {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(EnsuresecError);
  expect((error as EnsuresecError).code).toBe(code);
}

/** Walks every page with the given size and returns the pages' item ids. */
async function walkPages(
  list: (cursor: string | undefined) => Promise<Page<{ id: string }>>,
): Promise<string[][]> {
  const pages: string[][] = [];
  let cursor: string | undefined;
  do {
    const page = await list(cursor);
    pages.push(page.items.map((item) => item.id));
    cursor = page.nextCursor ?? undefined;
  } while (cursor !== undefined && pages.length < 20);
  return pages;
}

interface PaginationCase {
  collection: string;
  /** Inserts n records in creation order and returns their ids. */
  insert(store: Store, n: number): Promise<string[]>;
  list(store: Store, limit: number, cursor: string | undefined): Promise<Page<{ id: string }>>;
}

const PAGINATION_CASES: PaginationCase[] = [
  {
    collection: 'events',
    insert: async (store, n) => {
      const events = Array.from({ length: n }, () => sampleEvent());
      await store.events.insertMany(events);
      return events.map((event) => event.id);
    },
    list: (store, limit, cursor) => store.events.list({ limit, ...(cursor ? { cursor } : {}) }),
  },
  ...(
    [
      ['alerts', (store: Store) => store.alerts, sampleAlert],
      ['decisions', (store: Store) => store.decisions, sampleDecision],
      ['incidents', (store: Store) => store.incidents, sampleIncident],
      ['findings', (store: Store) => store.findings, sampleFinding],
      ['users', (store: Store) => store.users, sampleUser],
    ] as const
  ).map(([collection, pick, make]): PaginationCase => ({
    collection,
    insert: async (store, n) => {
      const ids: string[] = [];
      for (let i = 0; i < n; i++) {
        const record = make();
        // Each collection's insert takes its own record type; the pairs above match by construction.
        await (pick(store).insert as (value: typeof record) => Promise<void>)(record);
        ids.push(record.id);
      }
      return ids;
    },
    list: (store, limit, cursor) => pick(store).list({ limit, ...(cursor ? { cursor } : {}) }),
  })),
  {
    collection: 'tokens',
    insert: async (store, n) => {
      const user = sampleUser();
      await store.users.insert(user);
      const ids: string[] = [];
      for (let i = 0; i < n; i++) {
        const token = sampleToken(user.id);
        await store.tokens.insert(token);
        ids.push(token.id);
      }
      return ids;
    },
    list: (store, limit, cursor) => store.tokens.list({ limit, ...(cursor ? { cursor } : {}) }),
  },
];

const harnesses: DialectHarness[] = [];
/** Every migration, in order; the list starts with the first schema. */
const MIGRATION_NAMES = MIGRATIONS.map((migration) => migration.name);

const dialects = selectedDialects();
if (dialects.includes('sqlite')) harnesses.push(sqliteHarness());

if (dialects.includes('postgres')) {
  const availability = await postgresAvailability();
  if ('harness' in availability) harnesses.push(availability.harness);
  else if (process.env['CI']) {
    describe('store contract on postgres', () => {
      it('reaches PostgreSQL (required in CI)', () => {
        throw new Error(availability.unavailableReason);
      });
    });
  } else {
    console.warn(`skipping the PostgreSQL store contract: ${availability.unavailableReason}`);
    describe.skip('store contract on postgres (unreachable)', () => {
      it('reaches PostgreSQL', () => undefined);
    });
  }
}

for (const harness of harnesses) {
  describe(`store contract on ${harness.name}`, () => {
    let store: Store;
    const opened: Store[] = [];
    const fresh = async (): Promise<Store> => {
      const next = await harness.openFresh();
      opened.push(next);
      return next;
    };

    beforeEach(async () => {
      store = await fresh();
      await store.migrate();
    });
    afterEach(async () => {
      await Promise.all(opened.splice(0).map((each) => each.close()));
    });
    afterAll(() => harness.dispose());

    describe('lifecycle', () => {
      it('applies every migration once and nothing on the next runs', async () => {
        const unmigrated = await fresh();
        expect(await unmigrated.migrate()).toEqual(MIGRATION_NAMES);
        expect(await unmigrated.migrate()).toEqual([]);
      });

      it('applies each migration once when two migrations race', async () => {
        const unmigrated = await fresh();
        const results = await Promise.all([unmigrated.migrate(), unmigrated.migrate()]);
        expect(results.flat().sort()).toEqual(MIGRATION_NAMES);
      });

      it('answers ping, describes itself and is safe to close twice', async () => {
        await expect(store.ping()).resolves.toBeUndefined();
        expect(store.description.startsWith(harness.name)).toBe(true);
        expect(typeof store.capabilities.concurrentWriters).toBe('boolean');
        const other = await fresh();
        await other.close();
        await expect(other.close()).resolves.toBeUndefined();
      });
    });

    describe('pagination', () => {
      for (const testCase of PAGINATION_CASES) {
        it(`lists ${testCase.collection} newest first across 3 pages`, async () => {
          const ids = await testCase.insert(store, 7);
          const pages = await walkPages((cursor) => testCase.list(store, 3, cursor));
          expect(pages.map((page) => page.length)).toEqual([3, 3, 1]);
          expect(pages.flat()).toEqual([...ids].reverse());
        });
      }

      it('defaults to 50 and clamps the limit to 500', async () => {
        await store.events.insertMany(Array.from({ length: 501 }, () => sampleEvent()));
        const byDefault = await store.events.list({});
        expect(byDefault.items).toHaveLength(50);
        const clamped = await store.events.list({ limit: 10_000 });
        expect(clamped.items).toHaveLength(500);
        expect(clamped.nextCursor).not.toBeNull();
        expect((await store.events.list({ limit: 0 })).items).toHaveLength(1);
      });

      it('rejects a cursor it did not issue with invalid_cursor', async () => {
        await expectCode(store.events.list({ cursor: 'not a cursor!' }), 'invalid_cursor');
        await expectCode(store.alerts.list({ cursor: 'AAAA' }), 'invalid_cursor');
        await expectCode(
          store.users.list({ cursor: Buffer.from("x' or 1=1 --").toString('base64url') }),
          'invalid_cursor',
        );
      });
    });

    describe('events', () => {
      it('stores events whole and gets them by id', async () => {
        const event = sampleEvent();
        await store.events.insertMany([event]);
        expect(await store.events.get(event.id)).toEqual(event);
        expect(await store.events.get(newId('evt'))).toBeUndefined();
        await store.events.insertMany([]);
        expect(await store.events.count()).toBe(1);
      });

      it('filters by kind, client ip and a since/until window', async () => {
        const early = sampleEvent({ time: '2025-03-01T10:00:00.000Z' });
        const middle = sampleEvent({
          time: '2025-03-01T12:00:00+02:00',
          kind: 'log',
          client: { ip: '198.51.100.1' },
        });
        const late = sampleEvent({ time: '2025-03-01T11:00:00.000Z', kind: 'business' });
        await store.events.insertMany([early, middle, late]);
        const ids = async (query: Parameters<Store['events']['list']>[0]) =>
          (await store.events.list(query)).items.map((event) => event.id);
        expect(await ids({ kind: 'log' })).toEqual([middle.id]);
        expect(await ids({ clientIp: '203.0.113.7' })).toEqual([late.id, early.id]);
        expect(await ids({ since: '2025-03-01T10:00:00.000Z', until: '2025-03-01T11:00:00.000Z' })).toEqual([
          middle.id,
          early.id,
        ]);
        await expectCode(store.events.list({ since: 'yesterday' }), 'validation_failed');
      });

      it('skips ids already stored, keeps the first copy and counts only the new events', async () => {
        const existing = sampleEvent({ severity: 'low' });
        expect(await store.events.insertMany([existing])).toBe(1);
        const fresh = sampleEvent();
        const resent = { ...existing, severity: 'critical' as const };
        expect(await store.events.insertMany([fresh, resent])).toBe(1);
        expect(await store.events.count()).toBe(2);
        expect(await store.events.get(existing.id)).toEqual(existing);
        expect(await store.events.insertMany([fresh, existing])).toBe(0);
        expect(await store.events.insertMany([])).toBe(0);
      });

      it('returns the ids it stored, in batch order, once each even when repeated in the batch', async () => {
        const stored = sampleEvent();
        await store.events.insertMany([stored]);
        const batch = Array.from({ length: 5 }, () => sampleEvent());
        const withRepeats = [batch[3]!, stored, ...batch, batch[0]!];
        expect(await store.events.insertNew(withRepeats)).toEqual([
          batch[3]!.id,
          batch[0]!.id,
          batch[1]!.id,
          batch[2]!.id,
          batch[4]!.id,
        ]);
        expect(await store.events.insertNew(withRepeats)).toEqual([]);
        expect(await store.events.count()).toBe(6);
      });

      it('stores a batch larger than one insert statement and skips its stored ids', async () => {
        const first = Array.from({ length: 700 }, () => sampleEvent());
        expect(await store.events.insertMany(first.slice(0, 300))).toBe(300);
        expect(await store.events.insertMany(first)).toBe(400);
        expect(await store.events.count()).toBe(700);
      });

      it('stores the JSON text a caller already has, in batches of any size, statements reused', async () => {
        let expected = 0;
        for (const size of [1, 3, 3, 7, 7, 129, 2]) {
          const batch = Array.from({ length: size }, (_, i) =>
            sampleEvent(i % 2 === 0 ? { client: { ip: '198.51.100.9' } } : { kind: 'log' }),
          );
          const ids = await store.events.insertNew(batch, {
            records: batch.map((event) => JSON.stringify(event)),
          });
          expect(ids).toEqual(batch.map((event) => event.id));
          for (const event of [batch[0]!, batch.at(-1)!])
            expect(await store.events.get(event.id)).toEqual(event);
          expected += size;
        }
        expect(await store.events.count()).toBe(expected);
        expect((await store.events.list({ clientIp: '198.51.100.9', limit: 500 })).items.length).toBe(
          1 + 2 + 2 + 4 + 4 + 65 + 1,
        );
        const one = sampleEvent();
        await expect(store.events.insertNew([one], { records: [] })).rejects.toThrow(RangeError);
        expect(await store.events.get(one.id)).toBeUndefined();
      });

      it('keeps one copy when two writers insert the same ids at once', async () => {
        const batch = Array.from({ length: 50 }, () => sampleEvent());
        const results = await Promise.all([store.events.insertNew(batch), store.events.insertNew(batch)]);
        expect(results.flat().sort()).toEqual(batch.map((event) => event.id).sort());
        expect(await store.events.count()).toBe(50);
      });

      it('purges events older than the instant and says how many', async () => {
        await store.events.insertMany([
          sampleEvent({ time: '2025-01-01T00:00:00.000Z' }),
          sampleEvent({ time: '2025-01-31T23:59:59.999Z' }),
          sampleEvent({ time: '2025-02-01T00:00:00.000Z' }),
        ]);
        expect(await store.events.purgeBefore('2025-02-01T00:00:00.000Z')).toBe(2);
        expect(await store.events.count()).toBe(1);
        expect(await store.events.purgeBefore('2025-02-01T00:00:00.000Z')).toBe(0);
      });
    });

    describe('dead letters', () => {
      const letter = (over: Partial<DeadLetterRecord> = {}): DeadLetterRecord => ({
        id: `dlt_${ulid()}`,
        source: 'nginx',
        reason: 'bad_time',
        input: '203.0.113.7 - - [yesterday] "GET / HTTP/1.1" 200 12',
        location: 'access.log:1042',
        time: '2025-03-01T10:00:00.000Z',
        ...over,
      });

      it('stores letters whole and lists them newest first, filtered by source and reason', async () => {
        const a = letter();
        const b = letter({ source: 'syslog', reason: 'syslog_bad_header', location: 'udp 10.0.0.5:514' });
        const c = letter({ reason: 'not_json', input: '{oops' });
        const { location: _omitted, ...withoutLocation } = letter({ source: 'syslog' });
        await store.deadLetters.insertMany([a, b, c, withoutLocation]);
        expect((await store.deadLetters.list({})).items).toEqual([withoutLocation, c, b, a]);
        expect((await store.deadLetters.list({ source: 'nginx' })).items).toEqual([c, a]);
        expect((await store.deadLetters.list({ reason: 'syslog_bad_header' })).items).toEqual([b]);
        expect((await store.deadLetters.list({ source: 'syslog', reason: 'bad_time' })).items).toEqual([
          withoutLocation,
        ]);
        expect(await store.deadLetters.count()).toBe(4);
        expect(await store.deadLetters.count({ source: 'nginx' })).toBe(2);
        expect(await store.deadLetters.count({ source: 'nginx', reason: 'not_json' })).toBe(1);
        await store.deadLetters.insertMany([]);
        expect(await store.deadLetters.count({ reason: 'nobody' })).toBe(0);
      });

      it('pages through letters with a cursor and refuses one it did not issue', async () => {
        const letters = Array.from({ length: 5 }, () => letter());
        await store.deadLetters.insertMany(letters);
        const pages = await walkPages((cursor) =>
          store.deadLetters.list({ limit: 2, ...(cursor ? { cursor } : {}) }),
        );
        expect(pages).toEqual([
          [letters[4]!.id, letters[3]!.id],
          [letters[2]!.id, letters[1]!.id],
          [letters[0]!.id],
        ]);
        await expectCode(store.deadLetters.list({ cursor: 'not a cursor!' }), 'invalid_cursor');
      });

      it('purges letters refused before the instant and says how many', async () => {
        await store.deadLetters.insertMany([
          letter({ time: '2025-01-01T00:00:00.000Z' }),
          letter({ time: '2025-02-01T00:00:00.000Z' }),
        ]);
        expect(await store.deadLetters.purgeBefore('2025-02-01T00:00:00.000Z')).toBe(1);
        expect(await store.deadLetters.count()).toBe(1);
        await expectCode(store.deadLetters.insertMany([letter({ time: 'soon' })]), 'validation_failed');
      });
    });

    describe('alerts, incidents and findings', () => {
      it('filters alerts and changes their status', async () => {
        const open = sampleAlert({ severity: 'low', time: '2025-03-01T09:00:00.000Z' });
        const high = sampleAlert();
        await store.alerts.insert(open);
        await store.alerts.insert(high);
        expect((await store.alerts.list({ severity: 'low' })).items).toEqual([open]);
        expect((await store.alerts.list({ since: '2025-03-01T10:00:00.000Z' })).items).toEqual([high]);
        const updated = await store.alerts.setStatus(high.id, 'acknowledged');
        expect(updated).toEqual({ ...high, status: 'acknowledged' });
        expect((await store.alerts.list({ status: 'acknowledged' })).items).toEqual([updated]);
        expect(await store.alerts.setStatus(newId('alr'), 'closed')).toBeUndefined();
        await expectCode(store.alerts.insert(open), 'conflict');
      });

      it('folds detections into a grouped alert, keeping its status, and filters by rule and detector', async () => {
        const grouped = sampleAlert({
          ruleId: 'ecommerce.scraping.not-found',
          detector: 'scraping',
          count: 1,
          firstSeen: '2025-03-01T09:00:00.000Z',
          lastSeen: '2025-03-01T09:00:00.000Z',
        });
        const other = sampleAlert({ ruleId: 'sigma-1', detector: 'sigma' });
        await store.alerts.insert(grouped);
        await store.alerts.insert(other);
        await store.alerts.setStatus(grouped.id, 'acknowledged');
        const eventIds = [newId('evt'), newId('evt')];
        const updated = await store.alerts.updateGroup(grouped.id, {
          eventIds,
          count: 7,
          lastSeen: '2025-03-01T09:04:00.000Z',
          severity: 'critical',
          evidence: { notFound: 40 },
        });
        expect(updated).toEqual({
          ...grouped,
          status: 'acknowledged',
          eventIds,
          count: 7,
          lastSeen: '2025-03-01T09:04:00.000Z',
          severity: 'critical',
          evidence: { notFound: 40 },
        });
        expect(await store.alerts.get(grouped.id)).toEqual(updated);
        expect((await store.alerts.list({ severity: 'critical' })).items).toEqual([updated]);
        expect((await store.alerts.list({ ruleId: 'ecommerce.scraping.not-found' })).items).toEqual([
          updated,
        ]);
        expect((await store.alerts.list({ detector: 'sigma' })).items).toEqual([other]);
        expect((await store.alerts.list({ detector: 'nobody' })).items).toEqual([]);
        expect(await store.alerts.updateGroup(newId('alr'), { eventIds: [] })).toBeUndefined();
      });

      it('fills the rule and detector columns of alerts written before migration 006', async () => {
        const { store: raw, sql, reopen } = await harness.openFreshWithSql();
        try {
          await raw.migrate();
          const older = sampleAlert({ ruleId: 'legacy.rule', detector: 'legacy' });
          await raw.alerts.insert(older);
          // Back to the schema of before 006 (the row keeps its record), then migrate again.
          await sql.run('drop index alerts_rule_id_id');
          await sql.run('drop index alerts_detector_id');
          await sql.run('alter table alerts drop column rule_id');
          await sql.run('alter table alerts drop column detector');
          await sql.run("delete from ensuresec_migrations where name = '006-alert-groups'");
          const again = await reopen();
          try {
            expect(await again.migrate()).toEqual(['006-alert-groups']);
            expect((await again.alerts.list({ detector: 'legacy' })).items).toEqual([older]);
            expect((await again.alerts.list({ ruleId: 'legacy.rule' })).items).toEqual([older]);
          } finally {
            await again.close();
          }
        } finally {
          await sql.close();
          await raw.close();
        }
      });

      it('replaces incidents whole and filters by status', async () => {
        const incident = sampleIncident();
        await store.incidents.insert(incident);
        const contained = { ...incident, status: 'contained' as const, summary: 'blocked at the edge' };
        expect(await store.incidents.update(contained)).toEqual(contained);
        expect(await store.incidents.get(incident.id)).toEqual(contained);
        expect((await store.incidents.list({ status: 'new' })).items).toEqual([]);
        expect((await store.incidents.list({ status: 'contained' })).items).toEqual([contained]);
        expect(await store.incidents.update(sampleIncident())).toBeUndefined();
      });

      it('filters findings by target and status', async () => {
        const a = sampleFinding();
        const b = sampleFinding({ target: 'https://pay.example', status: 'fixed' });
        await store.findings.insert(a);
        await store.findings.insert(b);
        expect(await store.findings.get(b.id)).toEqual(b);
        expect((await store.findings.list({ target: 'https://pay.example' })).items).toEqual([b]);
        expect((await store.findings.list({ status: 'open' })).items).toEqual([a]);
      });
    });

    describe('modes', () => {
      it('keeps one record per mode, lists those in force and deletes', async () => {
        const base = {
          enabledAt: '2026-11-27T00:00:00.000Z',
          enabledBy: 'ada',
          reason: 'test',
          recovery: null,
        };
        await store.modes.put({ ...base, name: 'read-only', until: '2026-11-27T01:00:00.000Z' });
        await store.modes.put({ ...base, name: 'lockdown', until: null });
        await store.modes.put({
          ...base,
          name: 'read-only',
          until: '2026-11-27T02:00:00.000Z',
          reason: 'longer',
        });
        const at = (iso: string) => store.modes.listActive(Date.parse(iso));
        expect((await at('2026-11-27T01:30:00Z')).map((m) => [m.name, m.reason])).toEqual([
          ['lockdown', 'test'],
          ['read-only', 'longer'],
        ]);
        expect((await at('2026-11-27T02:00:00Z')).map((m) => m.name)).toEqual(['lockdown']);
        expect(await store.modes.delete('lockdown')).toBe(true);
        expect(await store.modes.delete('lockdown')).toBe(false);
        expect(await store.modes.get('lockdown')).toBeUndefined();
      });
    });

    describe('decisions', () => {
      const at = '2025-03-01T12:00:00.000Z';
      it('lists the decisions in force, lets expired ones lapse and deletes', async () => {
        const permanent = sampleDecision({ expiresAt: null, scope: 'cidr', value: '198.51.100.0/24' });
        const active = sampleDecision({ expiresAt: '2025-03-01T12:00:00.001Z' });
        const expiredNow = sampleDecision({ expiresAt: at });
        const throttle = sampleDecision({
          action: 'throttle',
          ratePerMinute: 30,
          origin: 'api',
          expiresAt: null,
        });
        for (const decision of [permanent, active, expiredNow, throttle])
          await store.decisions.insert(decision);

        expect((await store.decisions.listActive(at)).map((d) => d.id)).toEqual([
          throttle.id,
          active.id,
          permanent.id,
        ]);
        expect((await store.decisions.list({ activeAt: at, limit: 2 })).items.map((d) => d.id)).toEqual([
          throttle.id,
          active.id,
        ]);
        expect((await store.decisions.list({ scope: 'cidr' })).items).toEqual([permanent]);
        expect((await store.decisions.list({ value: '203.0.113.7', action: 'ban' })).items).toHaveLength(2);
        expect((await store.decisions.list({ origin: 'api' })).items).toEqual([throttle]);

        expect(await store.decisions.delete(active.id)).toBe(true);
        expect(await store.decisions.delete(active.id)).toBe(false);
        expect(await store.decisions.get(active.id)).toBeUndefined();
        expect(await store.decisions.listActive(at)).toHaveLength(2);
      });
    });

    describe('users, tokens and sessions', () => {
      it('keeps user names unique', async () => {
        const ada = sampleUser({ name: 'ada' });
        await store.users.insert(ada);
        await expectCode(store.users.insert(sampleUser({ name: 'ada' })), 'conflict');
        const grace = sampleUser({ name: 'grace' });
        await store.users.insert(grace);
        await expectCode(store.users.update({ ...grace, name: 'ada' }), 'conflict');
        const renamed = { ...grace, name: 'grace.h', totpEnabled: true };
        expect(await store.users.update(renamed)).toEqual(renamed);
        expect(await store.users.getByName('grace.h')).toEqual(renamed);
        expect(await store.users.getByName('grace')).toBeUndefined();
        expect(await store.users.get(ada.id)).toEqual(ada);
        expect(await store.users.update(sampleUser())).toBeUndefined();
        expect(await store.users.count()).toBe(2);
      });

      it('finds tokens by hash, revokes once and never un-revokes on touch', async () => {
        const user = sampleUser();
        const other = sampleUser();
        await store.users.insert(user);
        await store.users.insert(other);
        const token = sampleToken(user.id);
        await store.tokens.insert(token);
        await store.tokens.insert(sampleToken(other.id));
        expect(await store.tokens.getByHash(token.tokenHash)).toEqual(token);
        expect(await store.tokens.getByHash('0'.repeat(64))).toBeUndefined();
        expect((await store.tokens.list({ userId: user.id })).items).toEqual([token]);

        await store.tokens.touch(token.id, '2025-03-02T00:00:00.000Z');
        expect(await store.tokens.revoke(token.id, '2025-03-03T00:00:00.000Z')).toBe(true);
        expect(await store.tokens.revoke(token.id, '2025-03-04T00:00:00.000Z')).toBe(true);
        await store.tokens.touch(token.id, '2025-03-05T00:00:00.000Z');
        expect(await store.tokens.get(token.id)).toEqual({
          ...token,
          revokedAt: '2025-03-03T00:00:00.000Z',
          lastUsedAt: '2025-03-05T00:00:00.000Z',
        });
        expect(await store.tokens.revoke(newId('tok'), '2025-03-03T00:00:00.000Z')).toBe(false);
        await expectCode(store.tokens.insert(sampleToken(newId('usr'))), 'not_found');
      });

      it('keeps a revoke when touches race it', async () => {
        const user = sampleUser();
        await store.users.insert(user);
        const token = sampleToken(user.id);
        await store.tokens.insert(token);
        const touches = Array.from({ length: 10 }, (_, i) =>
          store.tokens.touch(token.id, `2025-03-0${(i % 9) + 1}T00:00:00.000Z`),
        );
        await Promise.all([...touches, store.tokens.revoke(token.id, '2025-03-09T12:00:00.000Z')]);
        expect((await store.tokens.get(token.id))?.revokedAt).toBe('2025-03-09T12:00:00.000Z');
      });

      it('expires sessions at their expiry instant', async () => {
        const user = sampleUser();
        await store.users.insert(user);
        const expiring = sampleSession(user.id, { expiresAt: '2025-03-01T12:00:00.000Z' });
        const lasting = sampleSession(user.id, { expiresAt: '2025-03-02T12:00:00.000Z' });
        await store.sessions.insert(expiring);
        await store.sessions.insert(lasting);
        expect(await store.sessions.get(expiring.idHash)).toEqual(expiring);
        expect(await store.sessions.deleteExpired('2025-03-01T12:00:00.000Z')).toBe(1);
        expect(await store.sessions.get(expiring.idHash)).toBeUndefined();
        await store.sessions.delete(lasting.idHash);
        expect(await store.sessions.get(lasting.idHash)).toBeUndefined();
        await expectCode(store.sessions.insert(sampleSession(newId('usr'))), 'not_found');
      });

      it("ends a user's sessions but the one kept, and no one else's", async () => {
        const user = sampleUser();
        const other = sampleUser();
        await store.users.insert(user);
        await store.users.insert(other);
        const [kept, ended1, ended2] = [
          sampleSession(user.id),
          sampleSession(user.id),
          sampleSession(user.id),
        ];
        const othersSession = sampleSession(other.id);
        for (const session of [kept, ended1, ended2, othersSession]) await store.sessions.insert(session);
        expect(await store.sessions.deleteForUser(user.id, kept.idHash)).toBe(2);
        expect(await store.sessions.get(kept.idHash)).toEqual(kept);
        expect(await store.sessions.get(ended1.idHash)).toBeUndefined();
        expect(await store.sessions.get(othersSession.idHash)).toEqual(othersSession);
        expect(await store.sessions.deleteForUser(user.id)).toBe(1);
        expect(await store.sessions.get(kept.idHash)).toBeUndefined();
      });
    });

    describe('transactions', () => {
      it('commits every write of a transaction together', async () => {
        const [alert, decision] = [sampleAlert(), sampleDecision()];
        await store.transaction(async (tx) => {
          await tx.alerts.insert(alert);
          await tx.decisions.insert(decision);
        });
        expect(await store.alerts.get(alert.id)).toEqual(alert);
        expect(await store.decisions.get(decision.id)).toEqual(decision);
      });

      it('keeps nothing of a transaction that fails', async () => {
        const alert = sampleAlert();
        await expect(
          store.transaction(async (tx) => {
            await tx.alerts.insert(alert);
            throw new Error('crash after the first write');
          }),
        ).rejects.toThrow('crash after the first write');
        expect(await store.alerts.get(alert.id)).toBeUndefined();
      });

      it('undoes only the savepoint that failed, and goes on', async () => {
        const [taken, kept] = [sampleDecision(), sampleDecision()];
        await store.decisions.insert(taken);
        await store.transaction(async (tx) => {
          await expectCode(
            tx.savepoint(() => tx.decisions.insert(taken)),
            'conflict',
          );
          await tx.savepoint(() => tx.decisions.insert(kept));
        });
        expect(await store.decisions.get(kept.id)).toEqual(kept);
      });
    });

    describe('ledger tables', () => {
      const hash = (byte: number) => new Uint8Array(32).fill(byte);
      const entry = (index: number) => ({
        index,
        kind: 'decision.created',
        recordId: `dec_${index}`,
        createdMs: 1_700_000_000_000 + index,
        entry: `{"index":${index}}`,
        leafHash: hash(index),
      });

      it('appends leaves and nodes, reads them back in the order asked, and refuses a taken index', async () => {
        await store.transaction(async (tx) => {
          await tx.ledger.lockForAppend();
          await tx.ledger.append([entry(0), entry(1)], [{ level: 1, index: 0, hash: hash(9) }]);
        });
        expect(await store.ledger.size()).toBe(2);
        const read = await store.ledger.readNodes([
          { level: 1, index: 0 },
          { level: 0, index: 1 },
          { level: 2, index: 0 },
          { level: 0, index: 0 },
        ]);
        expect(read.map((bytes) => (bytes ? [...bytes.slice(0, 1)] : undefined))).toEqual([
          [9],
          [1],
          undefined,
          [0],
        ]);
        expect(await store.ledger.listEntries(1, 10)).toEqual([{ ...entry(1), leafHash: expect.anything() }]);
        expect((await store.ledger.entriesForRecord('dec_0')).map((row) => row.index)).toEqual([0]);
        expect(await store.ledger.maxNodeLevel()).toBe(1);
        await expectCode(store.ledger.append([entry(1)], []), 'conflict');
      });

      it('keeps one checkpoint per size and one salt per subject, and forgets a salt on erasure', async () => {
        const checkpoint = { treeSize: 2, rootHash: hash(7), note: 'note\n', createdMs: 1 };
        expect(await store.ledger.insertCheckpoint(checkpoint)).toBe(true);
        expect(await store.ledger.insertCheckpoint({ ...checkpoint, note: 'other\n' })).toBe(false);
        expect(await store.ledger.latestCheckpoint()).toMatchObject({ treeSize: 2, note: 'note\n' });
        await store.ledger.insertSalts([{ subject: 'pii:email:abc', salt: hash(3), createdMs: 1 }]);
        expect([...(await store.ledger.saltsFor(['pii:email:abc', 'pii:email:none'])).keys()]).toEqual([
          'pii:email:abc',
        ]);
        expect(await store.ledger.deleteSalt('pii:email:abc')).toBe(true);
        expect((await store.ledger.saltsFor(['pii:email:abc'])).size).toBe(0);
      });
    });

    describe('kv', () => {
      it('stores JSON values and overwrites them', async () => {
        expect(await store.kv.get('bootstrap.completed')).toBeUndefined();
        await store.kv.set('bootstrap.completed', false);
        await store.kv.set('bootstrap.completed', true);
        expect(await store.kv.get<boolean>('bootstrap.completed')).toBe(true);
        await store.kv.set('retention', { days: 30, kinds: ['http'] });
        expect(await store.kv.get('retention')).toEqual({ days: 30, kinds: ['http'] });
        await expectCode(store.kv.set('', 1), 'validation_failed');
        await expectCode(store.kv.set('nothing', undefined), 'validation_failed');
      });
    });

    describe('WAF persistent collections', () => {
      it('upserts whole records, lists the live ones and purges the expired', async () => {
        const record = (key: string, variables: Record<string, string>, expiresMs: number) => ({
          collection: 'IP',
          key,
          variables,
          expiresMs,
        });
        await store.wafCollections.upsertMany([
          record('198.51.100.7_ua1', { score: '5', seen: '1' }, 10_000),
          record('198.51.100.8_ua2', { score: '1' }, 2_000),
        ]);
        await store.wafCollections.upsertMany([record('198.51.100.7_ua1', { score: '9' }, 20_000)]);
        const live = await store.wafCollections.listLive(5_000);
        expect(live).toEqual([record('198.51.100.7_ua1', { score: '9' }, 20_000)]);
        expect(await store.wafCollections.purgeExpired(5_000)).toBe(1);
        expect(await store.wafCollections.listLive(0)).toHaveLength(1);
        const many = Array.from({ length: 1_203 }, (_, i) => record(`k${i}`, { n: String(i) }, 30_000));
        await store.wafCollections.upsertMany(many);
        expect(await store.wafCollections.listLive(25_000)).toHaveLength(1_203);
      });
    });
  });
}

describe('sqlite durability', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'ensuresec-durability-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('keeps a resolved write after the writer is killed with SIGKILL', async () => {
    const path = join(dir, 'nested', 'ensuresec.db');
    const eventId = newId('evt');
    const script = fileURLToPath(new URL('./fixtures/write-then-hang.ts', import.meta.url));
    const child = spawn(process.execPath, ['--import', 'tsx', script, path, eventId], {
      cwd: fileURLToPath(new URL('../..', import.meta.url)),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const exit = new Promise<NodeJS.Signals | null>((resolve) =>
      child.on('exit', (_code, signal) => resolve(signal)),
    );
    await new Promise<void>((resolve, reject) => {
      child.stdout.on('data', (chunk: Buffer) => {
        if (chunk.toString().includes('written')) {
          child.kill('SIGKILL');
          resolve();
        }
      });
      child.on('exit', () => reject(new Error(`the writer exited before writing: ${stderr}`)));
    });
    expect(await exit).toBe('SIGKILL');

    const reopened = await openStore({ dialect: 'sqlite', path });
    try {
      expect((await reopened.events.get(eventId))?.id).toBe(eventId);
    } finally {
      await reopened.close();
    }
  });
});
