import { describe, expect, it } from 'vitest';
import { isEnsuresecError } from '../core/errors.js';
import { hashLeaf, merkleTreeHash } from './hash.js';
import { MemoryLeafStorage, type NodeAddress } from './storage.js';
import { fromHex, readReferenceTree, toHex } from './test-support.js';
import { LedgerTree } from './tree.js';
import { verifyConsistency, verifyInclusion } from './verify.js';

const leafOf = (i: number) => hashLeaf(new TextEncoder().encode(`record ${i}`));

async function treeOf(count: number, storage = new MemoryLeafStorage()): Promise<LedgerTree> {
  const tree = await LedgerTree.open(storage);
  await tree.append(Array.from({ length: count }, (_, i) => leafOf(i)));
  return tree;
}

/** Counts node reads, to show proofs stay O(log n). */
class CountingStorage extends MemoryLeafStorage {
  nodesRead = 0;
  override async readNodes(addresses: readonly NodeAddress[]) {
    this.nodesRead += addresses.length;
    return super.readNodes(addresses);
  }
}

describe('ledger tree', () => {
  it('produces exactly the reference tree proofs and roots', async () => {
    const reference = readReferenceTree();
    const tree = await LedgerTree.open(new MemoryLeafStorage());
    await tree.append(reference.leaf_inputs_hex.map((hex) => hashLeaf(fromHex(hex))));
    for (const [size, want] of reference.root_hashes_by_tree_size.entries()) {
      expect(toHex(await tree.root(size))).toBe(want);
    }
    for (const p of reference.inclusion_proofs) {
      expect((await tree.inclusionProof(p.leaf_index, p.tree_size)).map(toHex)).toEqual(p.proof);
    }
    for (const p of reference.consistency_proofs) {
      expect((await tree.consistencyProof(p.size1, p.size2)).map(toHex)).toEqual(p.proof);
    }
  });

  it('gives roots and proofs that verify for every index and size pair up to 33 leaves', async () => {
    const leaves = Array.from({ length: 33 }, (_, i) => leafOf(i));
    const tree = await treeOf(33);
    for (let size = 1; size <= 33; size++) {
      const root = await tree.root(size);
      expect(toHex(root)).toBe(toHex(merkleTreeHash(leaves.slice(0, size))));
      for (let index = 0; index < size; index++) {
        const proof = await tree.inclusionProof(index, size);
        expect(verifyInclusion(leaves[index], index, size, proof, root)).toEqual({ ok: true });
      }
      for (let oldSize = 1; oldSize <= size; oldSize++) {
        const proof = await tree.consistencyProof(oldSize, size);
        expect(verifyConsistency(oldSize, size, proof, await tree.root(oldSize), root)).toEqual({ ok: true });
      }
    }
  });

  it('gives the same answers from a store that caches only some levels', async () => {
    const full = await treeOf(300);
    const thin = await treeOf(300, new MemoryLeafStorage({ keepLevel: (level) => level % 3 === 0 }));
    for (const [index, size] of [
      [0, 300],
      [137, 300],
      [255, 256],
      [299, 300],
      [5, 77],
    ] as const) {
      expect((await thin.inclusionProof(index, size)).map(toHex)).toEqual(
        (await full.inclusionProof(index, size)).map(toHex),
      );
    }
    expect(toHex(await thin.root(201))).toBe(toHex(await full.root(201)));
    expect((await thin.consistencyProof(100, 300)).map(toHex)).toEqual(
      (await full.consistencyProof(100, 300)).map(toHex),
    );
  });

  it('reads O(log n) nodes per proof, not the whole tree', async () => {
    const storage = new CountingStorage();
    const tree = await treeOf(2 ** 15 + 12_345, storage);
    storage.nodesRead = 0;
    await tree.inclusionProof(12_345);
    await tree.consistencyProof(20_001);
    await tree.root(30_000);
    expect(storage.nodesRead).toBeLessThan(3 * 2 * 16);
  });

  it('reopens from storage with the same root and keeps appending in batches', async () => {
    const storage = new MemoryLeafStorage();
    const first = await treeOf(1000, storage);
    const reopened = await LedgerTree.open(storage);
    expect(reopened.size).toBe(1000);
    expect(toHex(await reopened.root())).toBe(toHex(await first.root()));
    const [a, b] = await Promise.all([
      reopened.append([leafOf(1000)]),
      reopened.append([leafOf(1001), leafOf(1002)]),
    ]);
    expect([a.firstIndex, b.firstIndex, b.treeSize]).toEqual([1000, 1001, 1003]);
    const leaves = Array.from({ length: 1003 }, (_, i) => leafOf(i));
    expect(toHex(await reopened.root())).toBe(toHex(merkleTreeHash(leaves)));
  });

  it('refuses out-of-range requests, bad leaves and a stale writer with stable codes', async () => {
    const storage = new MemoryLeafStorage();
    const tree = await treeOf(10, storage);
    const codeOf = async (run: () => Promise<unknown>) => {
      try {
        await run();
      } catch (error) {
        return isEnsuresecError(error) ? error.code : 'not an EnsuresecError';
      }
      return 'accepted';
    };
    expect(await codeOf(() => tree.inclusionProof(10))).toBe('bad_request');
    expect(await codeOf(() => tree.root(11))).toBe('bad_request');
    expect(await codeOf(() => tree.consistencyProof(0, 5))).toBe('bad_request');
    expect(await codeOf(() => tree.consistencyProof(6, 5))).toBe('bad_request');
    expect(await codeOf(() => tree.append([new Uint8Array(31)]))).toBe('bad_request');
    const other = await LedgerTree.open(storage);
    await other.append([leafOf(10)]);
    expect(await codeOf(() => tree.append([leafOf(99)]))).toBe('conflict');
    expect(tree.size).toBe(10);
    expect((await storage.readLeafHashes(10, 5)).map(toHex)).toEqual([toHex(leafOf(10))]);
  });
});
