/**
 * The ledger routes as a partner and a witness use them: a real SQLite store, the real Ledger
 * service with a log key and one trusted witness, the real API server (inject).
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { pino } from 'pino';
import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MemoryBus } from '../../../bus/memory/memory-bus.js';
import { ManualClock } from '../../../core/clock.js';
import { newId } from '../../../core/ids.js';
import type { Role } from '../../../core/roles.js';
import {
  cosignCheckpoint,
  decodeBase64Strict,
  generateNoteKeyPair,
  hashLeaf,
  Ledger,
  parseSignerKey,
  signCheckpoint,
  verifyCheckpoint,
  verifyProofDocument,
} from '../../../ledger/index.js';
import { sampleDecision } from '../../../store/fixtures/sample-records.js';
import { openStore } from '../../../store/index.js';
import type { Store } from '../../../store/store.js';
import { issueApiToken } from '../../auth/bootstrap.js';
import { createApiServer } from '../../server.js';
import { DEFAULT_TEST_CONFIG } from '../../testing/harness.js';

interface BadCase {
  name: string;
  url?: string;
  note?: string;
  code: string;
}

const fixture = async (name: string) =>
  JSON.parse(await readFile(new URL(`./fixtures/${name}`, import.meta.url), 'utf8')) as BadCase[];

const ORIGIN = 'ensuresec.test/api';
const log = generateNoteKeyPair(ORIGIN);
const witness = generateNoteKeyPair('witness.partner', 'cosignature/v1');
const stranger = generateNoteKeyPair('witness.stranger', 'cosignature/v1');
const clock = new ManualClock(Date.parse('2026-03-01T12:00:00.000Z'));

let dir: string;
let store: Store;
let ledger: Ledger;
let app: FastifyInstance;
const tokens = {} as Record<Role, string>;

async function get(url: string, role: Role = 'partner') {
  return app.inject({ method: 'GET', url, headers: { authorization: `Bearer ${tokens[role]}` } });
}

async function post(url: string, body: unknown, role: Role = 'partner') {
  return app.inject({
    method: 'POST',
    url,
    headers: { authorization: `Bearer ${tokens[role]}`, 'content-type': 'application/json' },
    payload: JSON.stringify(body),
  });
}

async function addDecisions(count: number): Promise<void> {
  for (let i = 0; i < count; i++) {
    const decision = sampleDecision({ id: newId('dec') });
    await ledger.commit({
      kind: 'decision.created',
      write: async (tx) => {
        await tx.decisions.insert(decision);
        return decision;
      },
    });
  }
}

async function signNow(): Promise<{ treeSize: number; note: string }> {
  const response = await post('/api/v1/ledger/checkpoints', {}, 'admin');
  expect(response.statusCode).toBe(201);
  return response.json();
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'ensuresec-ledger-api-'));
  store = await openStore({ dialect: 'sqlite', path: join(dir, 'ensuresec.db') }, { clock });
  await store.migrate();
  ledger = await Ledger.open({
    store,
    pseudonymisationKey: Buffer.from('test-pseudonymisation-key-32-byt'),
    clock,
    signers: [parseSignerKey(log.signerKey, { clock })],
    witnessKeys: [witness.verifierKey],
  });
  app = await createApiServer({
    store,
    ledger,
    bus: new MemoryBus(),
    clock,
    logger: pino({ level: 'silent' }),
    config: DEFAULT_TEST_CONFIG,
    pseudonymisationKey: Buffer.from('test-pseudonymisation-key-32-byt'),
    version: '0.0.0-test',
    metricsRegistry: new Registry(),
  });
  for (const role of ['admin', 'viewer', 'partner'] as const) {
    const now = new Date(clock.nowMs()).toISOString();
    const user = {
      id: newId('usr'),
      name: `${role}-user`,
      role,
      passwordHash: 'unused',
      totpSecret: null,
      totpEnabled: false,
      mustChangePassword: false,
      disabled: false,
      createdAt: now,
      updatedAt: now,
    };
    await store.users.insert(user);
    tokens[role] = (
      await issueApiToken(ledger, { userId: user.id, name: 'test', expiresAt: null }, clock)
    ).token;
  }
});

afterAll(async () => {
  await app.close();
  await ledger.close();
  await store.close();
  await rm(dir, { recursive: true, force: true });
});

describe('ledger routes', () => {
  it('answers ledger_checkpoint_unknown before the first checkpoint, and only admins sign one', async () => {
    const none = await get('/api/v1/ledger/checkpoint');
    expect([none.statusCode, none.json().error.code]).toEqual([404, 'ledger_checkpoint_unknown']);
    const byPartner = await post('/api/v1/ledger/checkpoints', {});
    expect([byPartner.statusCode, byPartner.json().error.code]).toEqual([403, 'forbidden']);
    await addDecisions(5);
    const signed = await signNow();
    expect(signed.treeSize).toBe((await ledger.tree()).size);
  });

  it('serves the latest checkpoint as a signed note partners and readers can verify', async () => {
    for (const role of ['partner', 'viewer'] as const) {
      const response = await get('/api/v1/ledger/checkpoint', role);
      expect(response.statusCode).toBe(200);
      expect(response.headers['content-type']).toMatch(/^text\/plain/);
      const verified = verifyCheckpoint(response.body, { logKey: log.verifierKey });
      expect(verified.ok && verified.value.checkpoint.treeSize).toBe((await ledger.tree()).size);
    }
  });

  it('serves entries whose text hashes to their leaf hash', async () => {
    const response = await get('/api/v1/ledger/entries/2');
    expect(response.statusCode).toBe(200);
    const entry = response.json() as { index: number; entry: string; leafHash: string; kind: string };
    expect(entry.index).toBe(2);
    expect(Buffer.from(hashLeaf(new TextEncoder().encode(entry.entry))).toString('base64')).toBe(
      entry.leafHash,
    );
    expect((JSON.parse(entry.entry) as { index: number }).index).toBe(2);
  });

  it('gives inclusion proofs of every entry that verify with only the proof, the checkpoint and the key', async () => {
    const checkpoint = (await get('/api/v1/ledger/checkpoint')).body;
    const size = (await ledger.tree()).size;
    for (let index = 0; index < size; index++) {
      const proof = (await get(`/api/v1/ledger/proofs/inclusion?index=${index}`)).json();
      const verified = verifyProofDocument(proof, { checkpoint, logKey: log.verifierKey });
      expect(verified, `entry ${index}`).toMatchObject({ ok: true, value: { index, entryChecked: true } });
    }
    const proof = (await get('/api/v1/ledger/proofs/inclusion?index=1')).json();
    const tampered = { ...proof, entry: proof.entry.replace('"index":1', '"index":1 ') };
    expect(verifyProofDocument(tampered, { checkpoint, logKey: log.verifierKey }).ok).toBe(false);
    const atSmallerSize = (await get('/api/v1/ledger/proofs/inclusion?index=1&size=3')).json();
    expect(atSmallerSize).toMatchObject({ treeSize: 3 });
    expect(verifyProofDocument(atSmallerSize, { checkpoint, logKey: log.verifierKey }).ok).toBe(false);
  });

  it('gives consistency proofs between two checkpoints', async () => {
    const older = (await get('/api/v1/ledger/checkpoint')).body;
    const olderSize = (await ledger.tree()).size;
    await addDecisions(3);
    const newer = (await signNow()).note;
    const proof = (await get(`/api/v1/ledger/proofs/consistency?from=${olderSize}`)).json();
    expect(proof).toMatchObject({ type: 'consistency', from: olderSize, to: olderSize + 3 });
    const verified = verifyProofDocument(proof, {
      checkpoint: newer,
      fromCheckpoint: older,
      logKey: log.verifierKey,
    });
    expect(verified.ok).toBe(true);
    const wrong = verifyProofDocument(proof, {
      checkpoint: older,
      fromCheckpoint: newer,
      logKey: log.verifierKey,
    });
    expect(wrong.ok).toBe(false);
  });

  it('lists checkpoints oldest first, page by page', async () => {
    const first = (await get('/api/v1/ledger/checkpoints?limit=1')).json();
    expect(first.items).toHaveLength(1);
    expect(first.nextCursor).toMatch(/^[0-9]+$/);
    const rest = (await get(`/api/v1/ledger/checkpoints?limit=10&cursor=${first.nextCursor}`)).json();
    expect(rest.nextCursor).toBeNull();
    const sizes = [...first.items, ...rest.items].map((item: { treeSize: number }) => item.treeSize);
    expect(sizes).toEqual([...sizes].sort((a, b) => a - b));
    expect(sizes.at(-1)).toBe((await ledger.tree()).size);
  });

  it('refuses every malformed proof request with a stable code, never a 500', async () => {
    const size = (await ledger.tree()).size;
    for (const bad of await fixture('ledger-bad-requests.json')) {
      const url = (bad.url as string).replace('{size}', String(size)).replace('{beyond}', String(size + 10));
      const response = await get(url);
      expect({ name: bad.name, code: response.json().error?.code }).toEqual({
        name: bad.name,
        code: bad.code,
      });
      expect(response.statusCode, bad.name).toBeLessThan(500);
    }
  });

  it("keeps a trusted witness's cosignature and serves it on the checkpoint", async () => {
    const note = (await get('/api/v1/ledger/checkpoint')).body;
    const cosigned = cosignCheckpoint(note, parseSignerKey(witness.signerKey, { clock }));
    if (!cosigned.ok) throw new Error(cosigned.reason);
    const response = await post('/api/v1/ledger/cosignatures', { note: cosigned.value });
    expect(response.statusCode).toBe(200);
    expect(response.json()).toMatchObject({ cosignatures: 1 });
    expect((await post('/api/v1/ledger/cosignatures', { note: cosigned.value })).json()).toMatchObject({
      cosignatures: 1,
    });
    const served = (await get('/api/v1/ledger/checkpoint')).body;
    const trust = { logKey: log.verifierKey, witnessKeys: [witness.verifierKey], minCosignatures: 1 };
    expect(verifyCheckpoint(served, trust).ok).toBe(true);
    expect(verifyCheckpoint(note, trust).ok).toBe(false);
  });

  it('refuses cosignatures by unknown witnesses, forged ones and checkpoints that are not ours', async () => {
    // The log's own note, without the cosignature the previous test kept.
    const note = (await store.ledger.latestCheckpoint())?.note as string;
    const expectRefused = async (body: unknown, code: string, why: string) => {
      const response = await post('/api/v1/ledger/cosignatures', body);
      expect({ why, code: response.json().error?.code }).toEqual({ why, code });
    };
    const byStranger = cosignCheckpoint(note, parseSignerKey(stranger.signerKey));
    await expectRefused(
      { note: byStranger.ok && byStranger.value },
      'ledger_cosignature_invalid',
      'stranger',
    );

    const genuine = cosignCheckpoint(note, parseSignerKey(witness.signerKey));
    if (!genuine.ok) throw new Error(genuine.reason);
    const lines = genuine.value.trimEnd().split('\n');
    const last = lines.pop() as string;
    const [dash, name, signature] = last.split(' ');
    const bytes = decodeBase64Strict(signature as string) as Uint8Array;
    bytes[bytes.length - 1] = (bytes[bytes.length - 1] as number) ^ 1;
    const forged = `${[...lines, `${dash} ${name} ${Buffer.from(bytes).toString('base64')}`].join('\n')}\n`;
    await expectRefused({ note: forged }, 'ledger_cosignature_invalid', 'forged');

    const size = (await ledger.tree()).size;
    const otherLog = generateNoteKeyPair(ORIGIN);
    const fork = signCheckpoint(
      { origin: ORIGIN, treeSize: size, rootHash: new Uint8Array(32).fill(7) },
      parseSignerKey(otherLog.signerKey),
    );
    const forkCosigned = cosignCheckpoint(fork, parseSignerKey(witness.signerKey));
    await expectRefused(
      { note: forkCosigned.ok && forkCosigned.value },
      'ledger_cosignature_invalid',
      'fork',
    );

    for (const bad of await fixture('ledger-bad-cosignatures.json')) {
      await expectRefused({ note: bad.note }, bad.code, bad.name);
    }
    await expectRefused({ note: 42 }, 'validation_failed', 'not text');
    await expectRefused({ note: 'x'.repeat(70_000) }, 'payload_too_large', 'too long');
  });
});
