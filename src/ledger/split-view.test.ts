/**
 * Split views, end to end over real HTTP: a malicious log keeps two histories behind one signing
 * key and shows history A to witness 1 and history B to witness 2 (chosen by the caller's
 * token). Two real witnesses (witnessOnce over the API client) must expose it: a witness that
 * saw A refuses B, a quorum of both witnesses is never reached on either fork, and the two
 * signed checkpoints are evidence of equivocation.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiClient } from '../api/client.js';
import { logOverApi } from '../cli/commands/ledger/witness.js';
import {
  detectEquivocation,
  encodeHashes,
  generateNoteKeyPair,
  hashLeaf,
  LedgerTree,
  MemoryLeafStorage,
  parseSignerKey,
  signCheckpoint,
  verifyCheckpoint,
  witnessOnce,
  type WitnessOutcome,
  type WitnessState,
} from './index.js';

const ORIGIN = 'evil.example/ledger';
const logKeys = generateNoteKeyPair(ORIGIN);
const logSigner = parseSignerKey(logKeys.signerKey);
const witnessKeys = [1, 2].map((n) => generateNoteKeyPair(`witness-${n}.example`, 'cosignature/v1'));

interface Fork {
  tree: LedgerTree;
  /** Cosigned notes the witnesses handed back to this fork. */
  cosigned: string[];
}

const leaf = (text: string) => hashLeaf(new TextEncoder().encode(text));

async function forkOf(entries: string[]): Promise<Fork> {
  const tree = await LedgerTree.open(new MemoryLeafStorage());
  await tree.append(entries.map(leaf));
  return { tree, cosigned: [] };
}

let server: Server;
let baseUrl: string;
const forks: Record<'A' | 'B', Fork> = {} as Record<'A' | 'B', Fork>;
/** Which history each witness's token is shown: the attack. */
const viewOf: Record<string, 'A' | 'B'> = { 'token-witness-1': 'A', 'token-witness-2': 'B' };

async function answer(request: IncomingMessage, response: ServerResponse): Promise<void> {
  const token = (request.headers.authorization ?? '').replace(/^Bearer /, '');
  const forkName = viewOf[token];
  const url = new URL(request.url ?? '/', 'http://127.0.0.1');
  const send = (status: number, body: string, type = 'application/json') => {
    response.writeHead(status, { 'content-type': type }).end(body);
  };
  if (!forkName) return send(401, JSON.stringify({ error: { code: 'unauthenticated', message: 'no' } }));
  const fork = forks[forkName];
  if (request.method === 'GET' && url.pathname === '/api/v1/ledger/checkpoint') {
    const rootHash = await fork.tree.root();
    return send(
      200,
      signCheckpoint({ origin: ORIGIN, treeSize: fork.tree.size, rootHash }, logSigner),
      'text/plain',
    );
  }
  if (request.method === 'GET' && url.pathname === '/api/v1/ledger/proofs/consistency') {
    const from = Number(url.searchParams.get('from'));
    const to = Number(url.searchParams.get('to'));
    const hashes = encodeHashes(await fork.tree.consistencyProof(from, to));
    return send(200, JSON.stringify({ type: 'consistency', from, to, hashes }));
  }
  if (request.method === 'POST' && url.pathname === '/api/v1/ledger/cosignatures') {
    let body = '';
    for await (const chunk of request) body += String(chunk);
    fork.cosigned.push((JSON.parse(body) as { note: string }).note);
    return send(200, JSON.stringify({ ok: true }));
  }
  return send(404, JSON.stringify({ error: { code: 'not_found', message: 'no' } }));
}

/** A real witness: its own key, its own state, the log seen through its own token. */
function witness(n: 1 | 2) {
  let state: WitnessState | undefined;
  const keys = witnessKeys[n - 1] as { signerKey: string; verifierKey: string };
  return {
    verifierKey: keys.verifierKey,
    run: (): Promise<WitnessOutcome> =>
      witnessOnce({
        log: logOverApi(new ApiClient({ baseUrl, token: `token-witness-${n}` })),
        logKeys: [logKeys.verifierKey],
        signer: parseSignerKey(keys.signerKey),
        state,
        saveState: (next) => (state = next),
      }),
  };
}

beforeAll(async () => {
  const shared = ['e0', 'e1', 'e2'];
  forks.A = await forkOf([...shared, 'a3', 'a4']);
  forks.B = await forkOf([...shared, 'b3', 'b4']);
  server = createServer((request, response) => {
    answer(request, response).catch(() => response.writeHead(500).end());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
});

describe('a log that shows two histories (split view)', () => {
  const witness1 = witness(1);
  const witness2 = witness(2);

  it('gets each fork cosigned by one witness only, so a two-witness quorum fails on both', async () => {
    expect((await witness1.run()).status).toBe('cosigned');
    expect((await witness2.run()).status).toBe('cosigned');
    const [onA] = forks.A.cosigned;
    const [onB] = forks.B.cosigned;
    const quorum = {
      logKey: logKeys.verifierKey,
      witnessKeys: [witness1.verifierKey, witness2.verifierKey],
      minCosignatures: 2,
    };
    expect(verifyCheckpoint(onA, { ...quorum, minCosignatures: 1 }).ok).toBe(true);
    expect(verifyCheckpoint(onA, quorum)).toMatchObject({
      ok: false,
      reason: expect.stringMatching(/1 witness/),
    });
    expect(verifyCheckpoint(onB, quorum)).toMatchObject({
      ok: false,
      reason: expect.stringMatching(/1 witness/),
    });
  });

  it('leaves two signed checkpoints of one size with different roots: proof of equivocation', () => {
    const notes = [...forks.A.cosigned, ...forks.B.cosigned];
    const report = detectEquivocation(notes, logKeys.verifierKey);
    expect(report.unverified).toEqual([]);
    expect(report.equivocations).toHaveLength(1);
    expect(report.equivocations[0]).toMatchObject({ origin: ORIGIN, treeSize: 5 });
    expect(report.equivocations[0]?.first.rootHash).not.toBe(report.equivocations[0]?.second.rootHash);
    expect(detectEquivocation(forks.A.cosigned, logKeys.verifierKey).equivocations).toEqual([]);
  });

  it('is refused by a witness that saw A when it is shown B at the same size', async () => {
    viewOf['token-witness-1'] = 'B';
    const outcome = await witness1.run();
    expect(outcome).toMatchObject({ status: 'refused', reason: expect.stringMatching(/split view/) });
    expect(forks.B.cosigned).toHaveLength(1);
  });

  it('is refused by that witness when B grows: the consistency proof from A fails', async () => {
    await forks.B.tree.append([leaf('b5'), leaf('b6')]);
    const outcome = await witness1.run();
    expect(outcome).toMatchObject({ status: 'refused', reason: expect.stringMatching(/does not extend/) });
    expect(forks.B.cosigned).toHaveLength(1);
  });

  it('while the witness that saw B accepts B growing, as an honest extension', async () => {
    expect(await witness2.run()).toMatchObject({ status: 'cosigned', state: { treeSize: 7 } });
  });

  it('and a witness refuses a log that shrinks', async () => {
    viewOf['token-witness-2'] = 'A';
    expect(await witness2.run()).toMatchObject({
      status: 'refused',
      reason: expect.stringMatching(/shrank/),
    });
  });
});
