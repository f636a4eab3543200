/**
 * The ledger audit against a log tampered with directly in the database, on every store
 * dialect: each change, deletion, insertion, swap, node and checkpoint alteration is found and
 * named (cases in fixtures/tamper/cases.json, plus two that need computed values).
 */
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { newId } from '../core/ids.js';
import { sampleDecision } from '../store/fixtures/sample-records.js';
import type { RawSql } from '../store/fixtures/dialects.js';
import type { Store } from '../store/store.js';
import { auditLedger, type AuditReport } from './audit.js';
import { canonicalJson } from './canonical-json.js';
import { hashLeaf } from './hash.js';
import { generateNoteKeyPair, parseSignerKey } from './note-keys.js';
import { Ledger } from './service.js';
import { ledgerDialects, readFixture, toHex } from './test-support.js';

interface TamperCase {
  name: string;
  sql: string[];
  entry: { index: number; problem: string } | null;
  node?: { level: number; index: number; problem: string };
  nodeProblems: boolean;
  checkpoints: number[];
}

const { cases } = JSON.parse(readFixture('tamper/cases.json')) as { cases: TamperCase[] };
const LOG = generateNoteKeyPair('ensuresec.test/ledger');
const KEY = Buffer.from('ledger-test-pseudonymisation-key');
const CHECKPOINT_SIZES = [8, 16, 33, 40];
/** Small pages, so every page boundary of the scan is crossed. */
const PAGE = 7;

/** 40 entries (the key, then 39 decisions) with signed checkpoints at 8, 16, 33 and 40. */
async function buildLog(store: Store): Promise<void> {
  const ledger = await Ledger.open({
    store,
    pseudonymisationKey: KEY,
    signers: [parseSignerKey(LOG.signerKey)],
  });
  for (const size of CHECKPOINT_SIZES) {
    while ((await store.ledger.size()) < size) {
      const decision = sampleDecision();
      await ledger.commit({
        kind: 'decision.created',
        write: async (tx) => {
          await tx.decisions.insert(decision);
          return decision;
        },
      });
    }
    await ledger.issueCheckpoint();
  }
  await ledger.close();
}

const audit = (store: Store) => auditLedger(store.ledger, { logKeys: [LOG.verifierKey], pageSize: PAGE });

function expectFindings(report: AuditReport, expected: Omit<TamperCase, 'name' | 'sql'>): void {
  expect(report.ok).toBe(false);
  expect(
    report.firstEntryProblem === null
      ? null
      : {
          index: report.firstEntryProblem.index,
          problem: report.firstEntryProblem.problem,
        },
  ).toEqual(expected.entry);
  if (expected.node) expect(report.firstNodeProblem).toMatchObject(expected.node);
  expect(report.nodeProblems > 0).toBe(expected.nodeProblems);
  expect(report.checkpointProblems.map((problem) => problem.treeSize)).toEqual(expected.checkpoints);
}

for (const harness of await ledgerDialects('the ledger audit')) {
  describe(`ledger audit on ${harness.name}`, () => {
    const cleanups: (() => Promise<void>)[] = [];
    const freshLog = async (): Promise<{ store: Store; sql: RawSql }> => {
      const { store, sql } = await harness.openFreshWithSql();
      cleanups.push(
        () => store.close(),
        () => sql.close(),
      );
      await store.migrate();
      await buildLog(store);
      return { store, sql };
    };
    afterEach(async () => {
      for (const cleanup of cleanups.splice(0)) await cleanup();
    });
    afterAll(() => harness.dispose());

    it('passes an untouched log and recomputes its root', async () => {
      const { store } = await freshLog();
      const progress: number[] = [];
      const report = await auditLedger(store.ledger, {
        logKeys: [LOG.verifierKey],
        pageSize: PAGE,
        onProgress: (done) => progress.push(done),
      });
      const reader = await Ledger.open({ store, pseudonymisationKey: KEY });
      expect(report).toEqual({
        ok: true,
        entries: 40,
        rootHash: toHex(await (await reader.tree()).root()),
        firstEntryProblem: null,
        firstNodeProblem: null,
        nodeProblems: 0,
        checkpointsChecked: 4,
        signaturesChecked: true,
        checkpointProblems: [],
      });
      expect(progress.at(-1)).toBe(40);
    });

    it('refuses checkpoints signed by another key', async () => {
      const { store } = await freshLog();
      const stranger = generateNoteKeyPair('ensuresec.test/ledger');
      const report = await auditLedger(store.ledger, { logKeys: [stranger.verifierKey] });
      expect(report.checkpointProblems.map((problem) => problem.treeSize)).toEqual(CHECKPOINT_SIZES);
      expect(report.checkpointProblems[0]?.detail).toContain('does not verify with the log key');
    });

    for (const tamper of cases) {
      it(`finds and names: ${tamper.name}`, async () => {
        const { store, sql } = await freshLog();
        for (const statement of tamper.sql) await sql.run(statement);
        expectFindings(await audit(store), tamper);
      });
    }

    it('finds and names: an entry inserted (with a valid leaf hash) and the later ones renumbered', async () => {
      const { store, sql } = await freshLog();
      await sql.run('update ledger_entries set "index" = -"index" - 1 where "index" >= 10');
      await sql.run('update ledger_entries set "index" = -"index" where "index" < 0');
      const id = newId('dec');
      const text = canonicalJson({
        actor: null,
        at: new Date().toISOString(),
        id,
        index: 10,
        kind: 'decision.created',
        record: { id, reason: 'forged' },
      });
      await sql.run(
        'insert into ledger_entries ("index", kind, record_id, created_ms, entry, leaf_hash) values (?, ?, ?, ?, ?, ?)',
        [10, 'decision.created', id, Date.now(), text, Buffer.from(hashLeaf(new TextEncoder().encode(text)))],
      );
      expectFindings(await audit(store), {
        entry: { index: 10, problem: 'inserted' },
        nodeProblems: true,
        checkpoints: [16, 33, 40],
      });
    });

    it('finds and names: an entry rewritten together with its leaf hash', async () => {
      const { store, sql } = await freshLog();
      const [row] = await store.ledger.listEntries(20, 1);
      const text = (row?.entry ?? '').replace('credential stuffing', 'nothing to see here');
      await sql.run('update ledger_entries set entry = ?, leaf_hash = ? where "index" = 20', [
        text,
        Buffer.from(hashLeaf(new TextEncoder().encode(text))),
      ]);
      const report = await audit(store);
      expectFindings(report, {
        entry: null,
        node: { level: 1, index: 10, problem: 'changed' },
        nodeProblems: true,
        checkpoints: [33, 40],
      });
      expect(report.firstNodeProblem?.detail).toContain('entries 20..21');
    });
  });
}
