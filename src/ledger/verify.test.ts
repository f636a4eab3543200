import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { fromBase64, fromHex, listFiles, MERKLE_VECTORS_DIR, readReferenceTree } from './test-support.js';
import { verifyConsistency, verifyInclusion } from './verify.js';

interface Vector {
  desc: string;
  wantErr: boolean;
  proof: string[] | null;
  leafIdx?: number;
  treeSize?: number;
  leafHash?: string;
  root?: string;
  size1?: number;
  size2?: number;
  root1?: string;
  root2?: string;
}

function vectors(kind: 'inclusion' | 'consistency'): [string, Vector][] {
  const dir = join(MERKLE_VECTORS_DIR, 'testdata', kind);
  return listFiles(dir).map((path) => [
    path.slice(dir.length + 1),
    JSON.parse(readFileSync(path, 'utf8')) as Vector,
  ]);
}

describe('proof verifiers against the transparency-dev vectors', () => {
  const inclusion = vectors('inclusion');
  const consistency = vectors('consistency');

  it('reads all 98 + 98 RFC vectors', () => {
    expect(inclusion).toHaveLength(98);
    expect(consistency).toHaveLength(98);
  });

  it.each(inclusion)('inclusion %s', (_name, v) => {
    const verdict = verifyInclusion(
      fromBase64(v.leafHash ?? ''),
      v.leafIdx,
      v.treeSize,
      (v.proof ?? []).map(fromBase64),
      fromBase64(v.root ?? ''),
    );
    expect(verdict.ok).toBe(!v.wantErr);
    if (!verdict.ok) expect(verdict.reason.length).toBeGreaterThan(5);
  });

  it.each(consistency)('consistency %s', (_name, v) => {
    const verdict = verifyConsistency(
      v.size1,
      v.size2,
      (v.proof ?? []).map(fromBase64),
      fromBase64(v.root1 ?? ''),
      fromBase64(v.root2 ?? ''),
    );
    expect(verdict.ok).toBe(!v.wantErr);
  });

  it('accepts the reference tree proofs', () => {
    const reference = readReferenceTree();
    for (const p of reference.inclusion_proofs) {
      const verdict = verifyInclusion(
        fromHex(p.leaf_hash),
        p.leaf_index,
        p.tree_size,
        p.proof.map(fromHex),
        fromHex(p.root),
      );
      expect(verdict).toEqual({ ok: true });
    }
    for (const p of reference.consistency_proofs) {
      const verdict = verifyConsistency(
        p.size1,
        p.size2,
        p.proof.map(fromHex),
        fromHex(p.root1),
        fromHex(p.root2),
      );
      expect(verdict).toEqual({ ok: true });
    }
  });
});

describe('proof verifiers on malformed input', () => {
  const hash = new Uint8Array(32);
  const garbage: unknown[] = [undefined, null, 'abc', -1, 1.5, NaN, 2 ** 60, {}, [1, 2], new Uint8Array(31)];

  it('reject every kind of garbage with a reason instead of throwing', () => {
    for (const bad of garbage) {
      for (const args of [
        [bad, 0, 1, [], hash],
        [hash, bad, 1, [], hash],
        [hash, 0, bad, [], hash],
        [hash, 0, 1, bad, hash],
        [hash, 0, 1, [bad], hash],
        [hash, 0, 1, [], bad],
      ] as [unknown, unknown, unknown, unknown, unknown][]) {
        const verdict = verifyInclusion(args[0], args[1], args[2], args[3], args[4]);
        expect(verdict.ok, String(bad)).toBe(false);
      }
      const verdict = verifyConsistency(1, 2, bad, hash, hash);
      expect(verdict.ok).toBe(false);
      expect(verifyConsistency(bad, 2, [hash], hash, hash).ok).toBe(false);
    }
  });

  it('rejects oversized proofs before hashing them', () => {
    const verdict = verifyInclusion(
      hash,
      0,
      2,
      Array.from({ length: 10_000 }, () => hash),
      hash,
    );
    expect(verdict).toEqual({ ok: false, reason: 'the proof has more than 128 hashes' });
  });
});
