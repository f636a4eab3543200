/**
 * The ledger's proofs and witnessing as users run them, against an honest log: a real runtime
 * (SQLite store, API on 127.0.0.1), a decision written through the API, `ensuresec ledger
 * witness-keygen`, `witness`, `checkpoint`, `proof inclusion|consistency` and `verify-proof`
 * run as the real command line in child processes.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiClient } from '../../../api/client.js';
import { verifyCheckpoint } from '../../../ledger/index.js';
import { parseConfig } from '../../../server/config/load.js';
import { readCliToken } from '../../../server/data-dir.js';
import { startRuntime, type Runtime } from '../../../server/runtime.js';
import { runCli } from '../../../../test/helpers/cli.js';

const dir = mkdtempSync(join(tmpdir(), 'ensuresec-witness-'));
const dataDir = join(dir, 'data');
const file = (name: string) => join(dir, name);
const logKeyFile = join(dataDir, 'ledger-log.pub');

let runtime: Runtime;
let admin: ApiClient;
let partnerToken: string;

const cli = (...args: string[]) => runCli([...args, '--data-dir', dataDir]);
const witness = () =>
  runCli([
    'ledger',
    'witness',
    '--log',
    runtime.apiUrl,
    '--key',
    file('witness.key'),
    '--log-key',
    logKeyFile,
    '--state',
    file('witness-state.json'),
    '--token',
    partnerToken,
  ]);

async function addDecision(value: string): Promise<string> {
  return (await admin.decisions.add({ action: 'ban', scope: 'ip', value, duration: '1h' })).id;
}

beforeAll(async () => {
  const keygen = await runCli([
    'ledger',
    'witness-keygen',
    '--out',
    file('witness.key'),
    '--name',
    'witness.partner',
  ]);
  expect([keygen.code, keygen.stderr]).toEqual([0, '']);
  const witnessKey = keygen.stdout.trim();
  const config = parseConfig(
    `api:\n  port: 0\ngateway:\n  enabled: false\nledger:\n  checkpointInterval: 0\n  witnesses:\n    - name: partner\n      key: ${witnessKey}\n`,
  );
  runtime = await startRuntime({ config, dataDir, logger: pino({ level: 'silent' }), apiPort: 0 });
  admin = new ApiClient({ baseUrl: runtime.apiUrl, token: readCliToken(dataDir) as string });
  const { user } = await admin.users.add({ name: 'payments-partner', role: 'partner' });
  partnerToken = (await admin.tokens.create({ name: 'witness', userId: user.id })).token;
}, 60_000);

afterAll(async () => {
  await runtime?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('ledger proofs and witnesses from the command line', { timeout: 120_000 }, () => {
  it('witnesses an honest log: the checkpoint carries the cosignature, and an inclusion proof verifies offline', async () => {
    const decisionId = await addDecision('203.0.113.7');
    const signed = await cli('ledger', 'checkpoint', '--sign');
    expect([signed.code, signed.stderr]).toEqual([0, '']);

    const first = await witness();
    expect([first.code, first.stderr]).toEqual([0, '']);
    expect(first.stdout).toMatch(/^cosigned: .+ at size \d+, root /m);

    const checkpoint = await cli(
      'ledger',
      'checkpoint',
      '--key',
      logKeyFile,
      '--witness-key',
      file('witness.key.pub'),
      '--min-cosignatures',
      '1',
    );
    expect([checkpoint.code, checkpoint.stderr]).toEqual([0, '']);
    writeFileSync(file('checkpoint.txt'), checkpoint.stdout);
    const witnessKey = readFileSync(file('witness.key.pub'), 'utf8').trim();
    const logKey = readFileSync(logKeyFile, 'utf8').trim().split('\n').at(-1) as string;
    expect(
      verifyCheckpoint(checkpoint.stdout, { logKey, witnessKeys: [witnessKey], minCosignatures: 1 }).ok,
    ).toBe(true);

    const [entry] = await runtime.store.ledger.entriesForRecord(decisionId);
    const proof = await cli(
      'ledger',
      'proof',
      'inclusion',
      '--index',
      String(entry?.index),
      '--key',
      logKeyFile,
      '--json',
    );
    expect([proof.code, proof.stderr]).toEqual([0, '']);
    writeFileSync(file('proof.json'), proof.stdout);
    expect(JSON.parse(proof.stdout)).toMatchObject({ type: 'inclusion', index: entry?.index });

    // Offline: no server, no data directory, only the three files.
    const offline = await runCli([
      'ledger',
      'verify-proof',
      '--proof',
      file('proof.json'),
      '--checkpoint',
      file('checkpoint.txt'),
      '--key',
      logKeyFile,
      '--witness-key',
      file('witness.key.pub'),
      '--min-cosignatures',
      '1',
    ]);
    expect([offline.code, offline.stderr]).toEqual([0, '']);
    expect(offline.stdout).toMatch(
      /^verified: entry \d+ is in .+ entry text checked, 1 cosignatures checked/m,
    );

    // The address is personal data: the entry holds only its salted hash, never the address.
    const forged = JSON.parse(proof.stdout) as { entry: string };
    expect(forged.entry).not.toContain('203.0.113.7');
    expect(forged.entry).toContain('"action":"ban"');
    const allowed = forged.entry.replace('"action":"ban"', '"action":"allow"');
    writeFileSync(file('forged.json'), JSON.stringify({ ...forged, entry: allowed }));
    const refused = await runCli([
      'ledger',
      'verify-proof',
      '--proof',
      file('forged.json'),
      '--checkpoint',
      file('checkpoint.txt'),
      '--key',
      logKeyFile,
    ]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(
      /^error\[ledger_verification_failed\]: .*entry text does not hash to the leaf hash/m,
    );
  });

  it('cosigns the next checkpoint after checking consistency, and proves consistency between the two', async () => {
    const before = JSON.parse(readFileSync(file('witness-state.json'), 'utf8')) as { treeSize: number };
    await addDecision('198.51.100.1');
    await addDecision('198.51.100.2');
    expect((await cli('ledger', 'checkpoint', '--sign')).code).toBe(0);

    const again = await witness();
    expect([again.code, again.stderr]).toEqual([0, '']);
    const after = JSON.parse(readFileSync(file('witness-state.json'), 'utf8')) as { treeSize: number };
    expect(after.treeSize).toBeGreaterThan(before.treeSize);
    const unchanged = await witness();
    expect(unchanged.stdout).toMatch(/^unchanged: /m);

    const consistency = await cli(
      'ledger',
      'proof',
      'consistency',
      '--from',
      String(before.treeSize),
      '--key',
      logKeyFile,
      '--json',
    );
    expect([consistency.code, consistency.stderr]).toEqual([0, '']);
    expect(JSON.parse(consistency.stdout)).toMatchObject({ from: before.treeSize, to: after.treeSize });
  });

  it('refuses, with exit 1, a log whose signature it cannot verify', async () => {
    const stranger = await runCli(['ledger', 'witness-keygen', '--out', file('other.key')]);
    expect(stranger.code).toBe(0);
    const refused = await runCli([
      'ledger',
      'witness',
      '--log',
      runtime.apiUrl,
      '--key',
      file('witness.key'),
      '--log-key',
      file('other.key.pub'),
      '--state',
      file('other-state.json'),
      '--token',
      partnerToken,
    ]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/^error\[ledger_witness_refused\]: .*does not verify with the log key/m);
  });

  it('answers bad proof requests with stable codes', async () => {
    const outOfRange = await cli('ledger', 'proof', 'inclusion', '--index', '100000');
    expect(outOfRange.code).toBe(1);
    expect(outOfRange.stderr).toMatch(/^error\[ledger_proof_invalid_range\]/m);
    const notANumber = await cli('ledger', 'proof', 'consistency', '--from', 'two');
    expect(notANumber.stderr).toMatch(/^error\[bad_request\]: .*--from must be a whole number/m);
  });
});
