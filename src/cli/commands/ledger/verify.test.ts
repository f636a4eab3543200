/** `ensuresec ledger verify` as a user runs it: on an intact log, on a tampered one, on no log at all. */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { systemClock } from '../../../core/clock.js';
import { Ledger, type AuditReport } from '../../../ledger/index.js';
import { loadLedgerSigners } from '../../../server/ledger.js';
import { sampleDecision } from '../../../store/fixtures/sample-records.js';
import { openStore } from '../../../store/index.js';
import { runCli } from '../../../../test/helpers/cli.js';

describe('ensuresec ledger verify', { timeout: 60_000 }, () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'ensuresec-ledger-cli-'));
  const verify = (...args: string[]) => runCli(['ledger', 'verify', '--data-dir', dataDir, ...args]);

  beforeAll(async () => {
    const store = await openStore({ dialect: 'sqlite', path: join(dataDir, 'ensuresec.db') });
    await store.migrate();
    const ledger = await Ledger.open({
      store,
      pseudonymisationKey: Buffer.from('cli-test-pseudonymisation-key-32'),
      signers: loadLedgerSigners(dataDir, 'ensuresec.test/cli', systemClock),
    });
    for (let i = 0; i < 5; i++) {
      const decision = sampleDecision();
      await ledger.commit({
        kind: 'decision.created',
        write: async (tx) => {
          await tx.decisions.insert(decision);
          return decision;
        },
      });
    }
    await ledger.close();
    await store.close();
  });
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  it('exits 0 on an intact log and says so, as text and as JSON', async () => {
    const text = await verify();
    expect([text.code, text.stderr]).toEqual([0, '']);
    expect(text.stdout).toMatch(
      /^ledger intact: 6 entries, 1 checkpoint \(signatures checked\), root [0-9a-f]{64}$/m,
    );
    const json = await verify('--json');
    expect(json.code).toBe(0);
    expect(JSON.parse(json.stdout) as AuditReport).toMatchObject({
      ok: true,
      entries: 6,
      signaturesChecked: true,
    });
  });

  it('exits 1 and names the entry once the database was tampered with', async () => {
    const database = new Database(join(dataDir, 'ensuresec.db'));
    database
      .prepare(`update ledger_entries set entry = replace(entry, 'ban', 'bam') where "index" = 3`)
      .run();
    database.close();
    const json = await verify('--json');
    expect(json.code).toBe(1);
    const report = JSON.parse(json.stdout) as AuditReport;
    expect(report.firstEntryProblem).toMatchObject({ index: 3, problem: 'changed' });
    expect(report.checkpointProblems.map((problem) => problem.treeSize)).toEqual([6]);
    const text = await verify();
    expect(text.code).toBe(1);
    expect(text.stdout).toContain('ledger TAMPERED');
    expect(text.stdout).toContain('first bad entry: 3 changed');
    expect(text.stdout).toContain('checkpoint 6: its root differs from the recomputed log');
  });

  it('refuses a data directory without a database, creating nothing', async () => {
    const empty = mkdtempSync(join(tmpdir(), 'ensuresec-ledger-none-'));
    try {
      const result = await runCli(['ledger', 'verify', '--data-dir', empty]);
      expect(result.code).toBe(1);
      expect(result.stderr).toContain('error[not_found]');
      expect(existsSync(join(empty, 'ensuresec.db'))).toBe(false);
    } finally {
      rmSync(empty, { recursive: true, force: true });
    }
  });
});
