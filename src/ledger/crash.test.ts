/**
 * A crash in the middle of appends: a process appending to a real SQLite file is killed with
 * SIGKILL; the log it leaves verifies, and every stored decision has exactly its one entry.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { openStore } from '../store/index.js';
import { auditLedger } from './audit.js';

const dir = mkdtempSync(join(tmpdir(), 'ensuresec-ledger-crash-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('ledger after a crash', () => {
  it('verifies, and holds an entry for every stored record and none for an unstored one', async () => {
    const path = join(dir, 'ensuresec.db');
    const script = fileURLToPath(new URL('./fixtures/crash/append-until-killed.ts', import.meta.url));
    const child = spawn(process.execPath, ['--import', 'tsx', script, path], {
      cwd: fileURLToPath(new URL('../..', import.meta.url)),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const exited = new Promise<NodeJS.Signals | null>((resolve) =>
      child.on('exit', (_code, signal) => resolve(signal)),
    );
    await new Promise<void>((resolve, reject) => {
      child.stdout.on('data', (chunk: Buffer) => {
        const counts = [...chunk.toString().matchAll(/committed (\d+)/g)].map((match) => Number(match[1]));
        // Killed while further batches are in flight, not between them.
        if (counts.some((count) => count >= 500)) {
          child.kill('SIGKILL');
          resolve();
        }
      });
      child.on('exit', () => reject(new Error(`the appender exited on its own: ${stderr}`)));
    });
    expect(await exited).toBe('SIGKILL');

    const store = await openStore({ dialect: 'sqlite', path });
    try {
      const report = await auditLedger(store.ledger);
      expect(report).toMatchObject({ ok: true, firstEntryProblem: null, nodeProblems: 0 });
      expect(report.entries).toBeGreaterThanOrEqual(500);
      const logged = new Set((await store.ledger.listEntries(0, 1_000_000)).map((row) => row.recordId));
      let stored = 0;
      let cursor: string | undefined;
      do {
        const page = await store.decisions.list({ limit: 500, ...(cursor ? { cursor } : {}) });
        for (const decision of page.items) expect(logged.has(decision.id)).toBe(true);
        stored += page.items.length;
        cursor = page.nextCursor ?? undefined;
      } while (cursor);
      expect(stored).toBe(logged.size);
    } finally {
      await store.close();
    }
  });
});
