/**
 * The dashboard's in-browser ledger checks (dashboard/src/ledger-verify.ts), run on Node's
 * WebCrypto: RFC 9162 inclusion proofs against the transparency-dev reference vectors (every
 * probe of ../shared/reference/merkle-vectors/testdata/inclusion, happy paths and corrupted
 * variants), and a checkpoint note signed by the ledger's own code checked with its verifier key.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  checkSignatures,
  fromBase64,
  leafHash,
  parseNote,
  rootFromInclusionProof,
  toBase64,
  verifyInclusion,
} from '../../dashboard/src/ledger-verify.js';
import { cosignCheckpoint, signCheckpoint } from '../../src/ledger/checkpoint.js';
import { generateNoteKeyPair, parseSignerKey } from '../../src/ledger/note-keys.js';
import { listFiles, MERKLE_VECTORS_DIR, readReferenceTree } from '../../src/ledger/test-support.js';

interface Probe {
  leafIdx: number;
  treeSize: number;
  root: string;
  leafHash: string;
  proof: string[] | null;
  desc: string;
  wantErr: boolean;
}

const INCLUSION_DIR = join(MERKLE_VECTORS_DIR, 'testdata', 'inclusion');
const probes = listFiles(INCLUSION_DIR)
  .filter((path) => path.endsWith('.json'))
  .map((path) => ({
    name: path.slice(INCLUSION_DIR.length + 1),
    probe: JSON.parse(readFileSync(path, 'utf8')) as Probe,
  }));

describe('inclusion proofs checked in the browser (RFC 9162)', () => {
  it.each(probes.map(({ name, probe }) => [name, probe] as const))('%s', async (_name, probe) => {
    const root = await rootFromInclusionProof(
      fromBase64(probe.leafHash),
      probe.leafIdx,
      probe.treeSize,
      (probe.proof ?? []).map(fromBase64),
    );
    const verified = root !== null && toBase64(root) === probe.root;
    expect(verified).toBe(!probe.wantErr);
  });

  it('recomputes the leaf hash from the entry text, and a changed entry fails', async () => {
    const tree = readReferenceTree();
    // Leaf 0 of the reference tree is the empty input: its entry text is ''.
    const proof = tree.inclusion_proofs.find((p) => p.leaf_index === 0 && p.tree_size === 8);
    expect(proof).toBeDefined();
    const hex = (h: string) => toBase64(Uint8Array.from(Buffer.from(h, 'hex')));
    const input = {
      index: 0,
      treeSize: 8,
      entry: Buffer.from(tree.leaf_inputs_hex[0] ?? '', 'hex').toString('latin1'),
      hashes: (proof?.proof ?? []).map(hex),
    };
    const root = fromBase64(hex(proof?.root ?? ''));
    expect(toBase64(await leafHash(input.entry))).toBe(hex(proof?.leaf_hash ?? ''));
    expect((await verifyInclusion(input, root)).valid).toBe(true);
    expect((await verifyInclusion({ ...input, entry: 'x' }, root)).valid).toBe(false);
  });
});

describe('checkpoint signatures checked in the browser', () => {
  it('accepts the log key’s signature and a witness cosignature, refuses a changed note or another key', async () => {
    const log = generateNoteKeyPair('shop.example/ledger');
    const witness = generateNoteKeyPair('witness.example', 'cosignature/v1');
    const signed = signCheckpoint(
      { origin: 'shop.example/ledger', treeSize: 8, rootHash: new Uint8Array(32).fill(7) },
      parseSignerKey(log.signerKey),
    );
    const cosigned = cosignCheckpoint(signed, parseSignerKey(witness.signerKey));
    if (!cosigned.ok) throw new Error(cosigned.reason);
    const parsed = parseNote(cosigned.value);
    expect(parsed).toMatchObject({ origin: 'shop.example/ledger', treeSize: 8 });
    const checks = await checkSignatures(parsed, [log.verifierKey], [witness.verifierKey]);
    expect(checks).toEqual([
      expect.objectContaining({ role: 'log', valid: true }),
      expect.objectContaining({ role: 'witness', valid: true, timestampSeconds: expect.any(Number) }),
    ]);
    const changed = parseNote(cosigned.value.replace('\n8\n', '\n9\n'));
    expect(
      (await checkSignatures(changed, [log.verifierKey], [witness.verifierKey])).map((c) => c.valid),
    ).toEqual([false, false]);
    const stranger = generateNoteKeyPair('shop.example/ledger');
    expect((await checkSignatures(parsed, [stranger.verifierKey], []))[0]?.role).toBe('unknown');
  });
});
