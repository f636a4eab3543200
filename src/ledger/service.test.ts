/**
 * The Ledger service on every store dialect: a write and its entry commit together or not at
 * all, concurrent changes share transactions in call order, personal values are salted and
 * erasable, checkpoints are signed, and two writers never take the same index.
 */
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { EnsuresecError } from '../core/errors.js';
import { pseudonymise } from '../core/pseudonymise.js';
import type { Decision } from '../core/records/index.js';
import { sampleDecision, sampleUser } from '../store/fixtures/sample-records.js';
import type { Store, StoreTransaction } from '../store/store.js';
import { auditLedger } from './audit.js';
import { verifyCheckpoint } from './checkpoint.js';
import type { LedgerEntry } from './entry.js';
import { hashLeaf, merkleTreeHash } from './hash.js';
import { generateNoteKeyPair, parseSignerKey } from './note-keys.js';
import { Ledger } from './service.js';
import { ledgerDialects, toHex } from './test-support.js';
import { verifyInclusion } from './verify.js';

const KEY = Buffer.from('ledger-test-pseudonymisation-key');
const LOG = generateNoteKeyPair('ensuresec.test/ledger');
const NEXT_LOG = generateNoteKeyPair('ensuresec.test/ledger');
const logSigner = parseSignerKey(LOG.signerKey);

const decisionChange = (decision: Decision, actor = 'usr_test') => ({
  kind: 'decision.created' as const,
  actor,
  write: async (tx: StoreTransaction) => {
    await tx.decisions.insert(decision);
    return decision;
  },
});

async function entriesOf(store: Store, recordId: string): Promise<LedgerEntry[]> {
  return (await store.ledger.entriesForRecord(recordId)).map((row) => JSON.parse(row.entry) as LedgerEntry);
}

for (const harness of await ledgerDialects('the ledger service')) {
  describe(`ledger service on ${harness.name}`, () => {
    const cleanups: (() => Promise<void>)[] = [];
    const fresh = async (options: Partial<Parameters<typeof Ledger.open>[0]> = {}) => {
      const { store, sql, reopen } = await harness.openFreshWithSql();
      await store.migrate();
      const ledger = await Ledger.open({ store, pseudonymisationKey: KEY, signers: [logSigner], ...options });
      cleanups.push(
        () => ledger.close(),
        () => store.close(),
        () => sql.close(),
      );
      return { store, ledger, reopen };
    };
    afterEach(async () => {
      for (const cleanup of cleanups.splice(0)) await cleanup();
    });
    afterAll(() => harness.dispose());

    it('stores a record with its entry, which proves its inclusion under a signed checkpoint', async () => {
      const { store, ledger } = await fresh();
      const decision = sampleDecision();
      expect(await ledger.commit(decisionChange(decision, 'usr_analyst'))).toEqual(decision);

      expect(await store.decisions.get(decision.id)).toEqual(decision);
      const [row] = await store.ledger.entriesForRecord(decision.id);
      if (!row) throw new Error('no ledger entry');
      const entry = JSON.parse(row.entry) as LedgerEntry;
      expect(entry).toMatchObject({
        kind: 'decision.created',
        id: decision.id,
        actor: 'usr_analyst',
        index: 1,
      });
      expect(entry.record).toEqual({ ...decision, value: expect.stringMatching(/^pii:client_address:/) });
      expect(toHex(row.leafHash)).toBe(toHex(hashLeaf(new TextEncoder().encode(row.entry))));

      const checkpoint = await ledger.issueCheckpoint();
      const verified = verifyCheckpoint(checkpoint?.note, { logKey: LOG.verifierKey });
      if (!verified.ok) throw new Error(verified.reason);
      expect(verified.value.checkpoint.treeSize).toBe(2);
      const proof = await (await ledger.tree()).inclusionProof(row.index, 2);
      expect(verifyInclusion(row.leafHash, row.index, 2, proof, verified.value.checkpoint.rootHash)).toEqual({
        ok: true,
      });
    });

    it('logs nothing for a failed write, and still commits the other changes of its batch', async () => {
      const { store, ledger } = await fresh();
      const taken = sampleDecision();
      await ledger.commit(decisionChange(taken));
      const [first, second] = [sampleDecision(), sampleDecision()];
      const outcomes = await Promise.allSettled([
        ledger.commit(decisionChange(first)),
        ledger.commit(decisionChange(taken)),
        ledger.commit(decisionChange(second)),
      ]);
      expect(outcomes.map((outcome) => outcome.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
      expect(((outcomes[1] as PromiseRejectedResult).reason as EnsuresecError).code).toBe('conflict');
      expect((await entriesOf(store, taken.id)).length).toBe(1);
      expect((await entriesOf(store, first.id)).map((e) => e.index)).toEqual([2]);
      expect((await entriesOf(store, second.id)).map((e) => e.index)).toEqual([3]);
      expect((await auditLedger(store.ledger)).ok).toBe(true);
    });

    it('leaves neither record nor leaf when the append fails mid-transaction, and goes on afterwards', async () => {
      const { store } = await fresh();
      let failAppend = true;
      const flaky: Store = Object.assign(Object.create(store) as Store, {
        transaction: <T>(work: (tx: StoreTransaction) => Promise<T>) =>
          store.transaction((tx) => {
            const append: StoreTransaction['ledger']['append'] = async (entries, nodes) => {
              await tx.ledger.append(entries, nodes);
              if (failAppend) throw new Error('the disk is full');
            };
            return work({ ...tx, ledger: { ...tx.ledger, append } });
          }),
      });
      const ledger = await Ledger.open({ store: flaky, pseudonymisationKey: KEY, signers: [logSigner] });
      cleanups.unshift(() => ledger.close());
      const lost = sampleDecision();
      await expect(ledger.commit(decisionChange(lost))).rejects.toThrow('the disk is full');
      expect(await store.decisions.get(lost.id)).toBeUndefined();
      expect(await store.ledger.size()).toBe(1);

      failAppend = false;
      const kept = sampleDecision();
      await ledger.commit(decisionChange(kept));
      expect((await entriesOf(store, kept.id)).map((e) => e.index)).toEqual([1]);
      const report = await auditLedger(store.ledger, { logKeys: [LOG.verifierKey] });
      expect(report).toMatchObject({ ok: true, entries: 2 });
    });

    it('groups concurrent changes into a few transactions, in call order', async () => {
      const { store } = await fresh();
      let transactions = 0;
      const counting: Store = Object.assign(Object.create(store) as Store, {
        transaction: <T>(work: (tx: StoreTransaction) => Promise<T>) => {
          transactions++;
          return store.transaction(work);
        },
      });
      const ledger = await Ledger.open({ store: counting, pseudonymisationKey: KEY, maxBatch: 100 });
      cleanups.unshift(() => ledger.close());
      const decisions = Array.from({ length: 300 }, () => sampleDecision());
      await Promise.all(decisions.map((decision) => ledger.commit(decisionChange(decision))));
      expect(transactions).toBeLessThanOrEqual(4);
      const rows = (await store.ledger.listEntries(0, 1000)).slice(1);
      expect(rows.map((row) => row.recordId)).toEqual(decisions.map((decision) => decision.id));
      const root = await (await ledger.tree()).root();
      const all = await store.ledger.listEntries(0, 1000);
      expect(toHex(root)).toBe(toHex(merkleTreeHash(all.map((row) => row.leafHash))));
    });

    it('salts personal values per subject, never logs secrets, and makes them unlinkable on erasure', async () => {
      const { store, ledger } = await fresh();
      const ip = '203.0.113.7';
      const [a, b, other] = [
        sampleDecision({ value: ip }),
        sampleDecision({ value: ip }),
        sampleDecision({ value: '198.51.100.9' }),
      ];
      for (const decision of [a, b, other]) await ledger.commit(decisionChange(decision));
      const user = sampleUser();
      await ledger.commit({
        kind: 'user.created',
        write: async (tx) => {
          await tx.users.insert(user);
          return user;
        },
      });
      const valueOf = async (decision: Decision) =>
        ((await entriesOf(store, decision.id))[0]?.record as Decision).value;
      expect(await valueOf(a)).toBe(await valueOf(b));
      expect(await valueOf(a)).not.toBe(await valueOf(other));
      const everything = (await store.ledger.listEntries(0, 100)).map((row) => row.entry).join('\n');
      for (const secret of [ip, '198.51.100.9', user.name, user.passwordHash]) {
        expect(everything).not.toContain(secret);
      }

      const before = await valueOf(a);
      expect(await ledger.eraseSubject('client_address', ip)).toBe(true);
      expect((await store.ledger.saltsFor([pseudonymise(ip, 'client_address', KEY)])).size).toBe(0);
      expect(await ledger.eraseSubject('client_address', ip)).toBe(false);
      const later = sampleDecision({ value: ip });
      await ledger.commit(decisionChange(later));
      expect(await valueOf(later)).not.toBe(before);
      expect(await valueOf(a)).toBe(before);
      expect((await auditLedger(store.ledger)).ok).toBe(true);
    });

    it('never gives two writers on two connections the same index', async () => {
      const { store, ledger, reopen } = await fresh();
      const otherStore = await reopen();
      const other = await Ledger.open({ store: otherStore, pseudonymisationKey: KEY, signers: [logSigner] });
      cleanups.unshift(
        () => other.close(),
        () => otherStore.close(),
      );
      const mine = Array.from({ length: 60 }, () => sampleDecision());
      const theirs = Array.from({ length: 60 }, () => sampleDecision());
      await Promise.all(
        mine.flatMap((decision, i) => [
          ledger.commit(decisionChange(decision)),
          other.commit(decisionChange(theirs[i] as Decision)),
        ]),
      );
      expect(await store.ledger.size()).toBe(121);
      const report = await auditLedger(store.ledger, { logKeys: [LOG.verifierKey] });
      expect(report).toMatchObject({ ok: true, entries: 121 });
    });

    it('signs a checkpoint at the interval when the log grew, and one per size on demand', async () => {
      const { store, ledger } = await fresh({ checkpointIntervalMs: 40 });
      await ledger.commit(decisionChange(sampleDecision()));
      const deadline = Date.now() + 5_000;
      while ((await store.ledger.latestCheckpoint())?.treeSize !== 2 && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      const latest = await store.ledger.latestCheckpoint();
      expect(latest?.treeSize).toBe(2);
      expect(await ledger.issueCheckpoint()).toEqual(latest);
      expect(verifyCheckpoint(latest?.note, { logKey: LOG.verifierKey }).ok).toBe(true);
    });

    it('records a key rotation in the log and signs with both keys until the old one is retired', async () => {
      const { store, ledger } = await fresh();
      await ledger.close();
      const rotated = await Ledger.open({
        store,
        pseudonymisationKey: KEY,
        signers: [parseSignerKey(NEXT_LOG.signerKey), logSigner],
      });
      cleanups.unshift(() => rotated.close());
      const changes = (await store.ledger.listEntries(0, 10)).map(
        (row) => JSON.parse(row.entry) as LedgerEntry,
      );
      expect(changes.map((change) => [change.kind, change.record])).toEqual([
        ['ledger.key_changed', expect.objectContaining({ previousKey: null, currentKey: LOG.verifierKey })],
        [
          'ledger.key_changed',
          expect.objectContaining({ previousKey: LOG.verifierKey, currentKey: NEXT_LOG.verifierKey }),
        ],
      ]);
      const checkpoint = await rotated.issueCheckpoint();
      for (const logKey of [LOG.verifierKey, NEXT_LOG.verifierKey]) {
        expect(verifyCheckpoint(checkpoint?.note, { logKey }).ok).toBe(true);
      }
    });
  });
}
