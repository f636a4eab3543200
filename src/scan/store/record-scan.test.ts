/**
 * Stored scans on real SQLite and PostgreSQL: four scan reports of one shop (fixture files)
 * stored in turn; each weakness stays one finding (first/last seen, seen count), a passive scan
 * does not mark active findings fixed, a complete scan that no longer finds one does, a later
 * scan finding it again reopens it, and every write is in the ledger.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../../core/clock.js';
import { Ledger } from '../../ledger/service.js';
import { ledgerDialects } from '../../ledger/test-support.js';
import type { Store } from '../../store/store.js';
import { recordScan } from './record-scan.js';
import { storedReportSchema, type StoredReport } from './report-schema.js';

const KEY = Buffer.from('scan-store-test-pseudonymisation-key');
const ACTOR = { id: 'usr_01JD3Q7Z9X8K2M4N6P8R0T2V4W', name: 'ada' };
const fixture = (name: string): StoredReport =>
  storedReportSchema.parse(
    JSON.parse(readFileSync(join(import.meta.dirname, '../fixtures/stored', `${name}.json`), 'utf8')),
  );

for (const harness of await ledgerDialects('stored scans')) {
  describe(`stored scans on ${harness.name}`, () => {
    const cleanups: Array<() => Promise<void>> = [];
    afterEach(async () => {
      for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
    });
    afterAll(() => harness.dispose());

    async function setup() {
      const store = await harness.openFresh();
      await store.migrate();
      const clock = new ManualClock(Date.parse('2026-11-27T00:00:00Z'));
      const ledger = await Ledger.open({ store, pseudonymisationKey: KEY, clock });
      cleanups.push(async () => {
        await ledger.close();
        await store.close();
      });
      return { store, ledger, clock, deps: { store, ledger, clock } };
    }

    const byCheck = async (store: Store) =>
      Object.fromEntries(
        (await store.findings.list({ target: 'http://shop.test', limit: 100 })).items.map((f) => [
          f.checkId,
          f,
        ]),
      );

    it('deduplicates by fingerprint and follows each finding across scans', async () => {
      const { store, deps, clock } = await setup();

      const first = await recordScan(deps, fixture('scan-1-active'), ACTOR);
      expect(first.scan.changes).toEqual({ new: 3, seenAgain: 0, reopened: 0, fixed: 0 });
      expect(first.findings.map((f) => f.status)).toEqual(['open', 'open', 'open']);
      const xss = first.findings.find((f) => f.checkId === 'reflected-xss');
      expect(xss).toMatchObject({
        target: 'http://shop.test',
        severity: 'medium',
        cvssVector: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:R/S:C/C:L/I:L/A:N',
        cvssScore: 6.1,
        cwe: 'CWE-79',
        parameter: 'q',
        firstSeen: '2026-11-20T10:00:00.000Z',
        lastSeen: '2026-11-20T10:00:00.000Z',
        seenCount: 1,
      });
      expect(xss?.evidence).toContain('<ens1x>');
      // The operator's token and cookies, and the shop's session cookie, never reach the store or the ledger.
      expect(xss?.evidence).toContain('authorization: [redacted]');
      expect(xss?.evidence).toContain('set-cookie: [redacted]');
      const entries = await store.ledger.entriesForRecord(xss?.id as string);
      const logged = JSON.stringify([xss, entries]);
      for (const secret of ['ens_operator_secret_token', 'operator-session-42', 'shop-session-99'])
        expect(logged).not.toContain(secret);

      // A passive scan: the active findings are not found, but nothing says they are gone.
      clock.advance(60_000);
      const passive = await recordScan(deps, fixture('scan-2-passive'), ACTOR);
      expect(passive.scan.changes).toEqual({ new: 0, seenAgain: 1, reopened: 0, fixed: 0 });
      let now = await byCheck(store);
      expect(now['sql-injection']?.status).toBe('open');
      expect(now['security-headers']).toMatchObject({ seenCount: 2, lastSeen: '2026-11-21T10:00:00.000Z' });

      // A complete active scan without the SQL injection: fixed.
      clock.advance(60_000);
      const third = await recordScan(deps, fixture('scan-3-active-sqli-fixed'), ACTOR);
      expect(third.scan.changes).toEqual({ new: 0, seenAgain: 2, reopened: 0, fixed: 1 });
      expect(third.fixed.map((f) => f.checkId)).toEqual(['sql-injection']);
      now = await byCheck(store);
      expect(now['sql-injection']).toMatchObject({ status: 'fixed', fixedAt: '2026-11-22T10:00:30.000Z' });
      expect(now['reflected-xss']).toMatchObject({ seenCount: 2, firstSeen: '2026-11-20T10:00:00.000Z' });

      // It comes back; the missing CSP was fixed meanwhile.
      clock.advance(60_000);
      const fourth = await recordScan(deps, fixture('scan-4-active-sqli-back'), ACTOR);
      expect(fourth.scan.changes).toEqual({ new: 0, seenAgain: 1, reopened: 1, fixed: 1 });
      now = await byCheck(store);
      expect(now['sql-injection']).toMatchObject({ status: 'open', fixedAt: null, seenCount: 2 });
      expect(now['security-headers']).toMatchObject({ status: 'fixed', seenCount: 3 });
      expect(now['reflected-xss']).toMatchObject({ seenCount: 3, lastScanId: fourth.scan.id });

      // Still one row per weakness, and every scan stored.
      expect((await store.findings.list({ limit: 100 })).items).toHaveLength(3);
      const scans = await store.scanRuns.list({ target: 'http://shop.test', limit: 10 });
      expect(scans.items.map((s) => s.id)).toEqual([fourth, third, passive, first].map((r) => r.scan.id));
      expect(await store.scanRuns.get(first.scan.id)).toEqual(first.scan);

      // Every write went through the ledger, in order.
      const sqliId = now['sql-injection']?.id as string;
      const kinds = (await store.ledger.entriesForRecord(sqliId)).map((row) => row.kind);
      expect(kinds).toEqual(['finding.created', 'finding.updated', 'finding.updated']);
      expect((await store.ledger.entriesForRecord(first.scan.id)).map((row) => row.kind)).toEqual([
        'scan.stored',
      ]);
    });

    it('does not let a late upload of an older scan mark a newer sighting fixed', async () => {
      const { store, deps } = await setup();
      await recordScan(deps, fixture('scan-4-active-sqli-back'), ACTOR);
      const old = await recordScan(deps, fixture('scan-3-active-sqli-fixed'), ACTOR);
      expect(old.scan.changes.fixed).toBe(0);
      const now = await byCheck(store);
      expect(now['sql-injection']?.status).toBe('open');
      // The older scan's sighting does not move lastSeen back, but moves firstSeen back.
      expect(now['reflected-xss']).toMatchObject({
        lastSeen: '2026-11-23T10:00:00.000Z',
        firstSeen: '2026-11-22T10:00:00.000Z',
        seenCount: 2,
      });
    });

    it('keeps accepted findings accepted', async () => {
      const { store, deps } = await setup();
      const first = await recordScan(deps, fixture('scan-1-active'), ACTOR);
      const csp = first.findings.find((f) => f.checkId === 'security-headers');
      if (!csp) throw new Error('no CSP finding');
      await store.findings.update({ ...csp, status: 'accepted' });
      await recordScan(deps, fixture('scan-2-passive'), ACTOR);
      await recordScan(deps, fixture('scan-4-active-sqli-back'), ACTOR);
      expect((await store.findings.get(csp.id))?.status).toBe('accepted');
    });
  });
}
