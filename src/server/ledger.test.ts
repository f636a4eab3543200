/**
 * The ledger in the composition root: the log key in the data directory (0600) and its
 * public list, what a start logs (key, configuration, first admin, CLI token) and logs again
 * only when it changed, WAF reloads, key rotation, and a last checkpoint at shutdown.
 */
import { existsSync, mkdtempSync, renameSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterAll, describe, expect, it } from 'vitest';
import { EnsuresecError } from '../core/errors.js';
import { auditLedger, verifyCheckpoint, type LedgerEntry } from '../ledger/index.js';
import { openStore } from '../store/index.js';
import { parseConfig } from './config/load.js';
import { defaultLedgerOrigin, readLedgerVerifierKeys } from './ledger.js';
import { startRuntime } from './runtime.js';

const dataDir = mkdtempSync(join(tmpdir(), 'ensuresec-ledger-runtime-'));
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

const BASE = 'api:\n  port: 0\ngateway:\n  enabled: false\nledger:\n  checkpointInterval: 0\n';

async function runOnce(
  yaml = BASE,
  work: (reloadWaf: () => Promise<unknown>) => unknown = () => undefined,
): Promise<void> {
  const runtime = await startRuntime({
    config: parseConfig(yaml),
    dataDir,
    logger: pino({ level: 'silent' }),
    apiPort: 0,
  });
  await work(() => runtime.reloadWaf());
  await runtime.close();
}

async function logged(): Promise<{ kinds: string[]; entries: LedgerEntry[]; notes: string[] }> {
  const store = await openStore({ dialect: 'sqlite', path: join(dataDir, 'ensuresec.db') });
  try {
    const entries = (await store.ledger.listEntries(0, 1000)).map(
      (row) => JSON.parse(row.entry) as LedgerEntry,
    );
    const notes = (await store.ledger.listCheckpoints(0, 1000)).map((checkpoint) => checkpoint.note);
    expect((await auditLedger(store.ledger, { logKeys: readLedgerVerifierKeys(dataDir) })).ok).toBe(true);
    return { kinds: entries.map((entry) => entry.kind), entries, notes };
  } finally {
    await store.close();
  }
}

describe('the ledger in the runtime', { timeout: 60_000 }, () => {
  it('keeps its key private, logs what the first start did, and signs at shutdown', async () => {
    await runOnce();
    expect(statSync(join(dataDir, 'secrets', 'ledger-log.key')).mode & 0o777).toBe(0o600);
    const keys = readLedgerVerifierKeys(dataDir);
    expect(keys).toHaveLength(1);
    expect(keys[0]?.startsWith(`${defaultLedgerOrigin()}+`)).toBe(true);
    const { kinds, notes } = await logged();
    expect(kinds).toEqual(['ledger.key_changed', 'config.changed', 'user.created', 'token.created']);
    const verified = verifyCheckpoint(notes.at(-1), { logKey: keys[0] as string });
    expect(verified.ok && verified.value.checkpoint.treeSize).toBe(4);
  });

  it('logs nothing new on a restart with the same configuration, and a change when it differs', async () => {
    await runOnce();
    expect((await logged()).kinds).toHaveLength(4);
    await runOnce(`${BASE}retention:\n  rawEventsDays: 14\n`, (reloadWaf) => reloadWaf());
    const { kinds, entries } = await logged();
    expect(kinds.slice(4)).toEqual(['config.changed', 'waf.rules_reloaded']);
    expect(entries[4]?.record).toMatchObject({ config: { retention: { rawEventsDays: 14 } } });
    expect(entries[5]?.record).toMatchObject({ ok: false, error: 'no WAF is configured' });
  });

  it('rotates the key with the same origin, on record, and signs with both keys meanwhile', async () => {
    const [oldKey] = readLedgerVerifierKeys(dataDir);
    renameSync(
      join(dataDir, 'secrets', 'ledger-log.key'),
      join(dataDir, 'secrets', 'ledger-log.previous.key'),
    );
    await runOnce(`${BASE}retention:\n  rawEventsDays: 14\n`);
    const keys = readLedgerVerifierKeys(dataDir);
    expect(keys).toHaveLength(2);
    expect(keys[0]).toBe(oldKey);
    const { entries, notes } = await logged();
    expect(entries.at(-1)).toMatchObject({
      kind: 'ledger.key_changed',
      record: { previousKey: oldKey, currentKey: keys[1] },
    });
    for (const logKey of keys) expect(verifyCheckpoint(notes.at(-1), { logKey }).ok).toBe(true);
    expect(existsSync(join(dataDir, 'secrets', 'ledger-log.key'))).toBe(true);
  });

  it('refuses an origin other than the one the log was made with', async () => {
    const yaml = `${BASE}  origin: other.example/ledger\n`;
    const error = await runOnce(yaml).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(EnsuresecError);
    expect((error as EnsuresecError).code).toBe('config_invalid');
    expect((error as EnsuresecError).message).toContain('a log keeps its origin for life');
  });
});
