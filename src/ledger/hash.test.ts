import { describe, expect, it } from 'vitest';
import { emptyTreeHash, hashChildren, hashLeaf, largestPowerOfTwoBelow, merkleTreeHash } from './hash.js';
import { fromHex, readReferenceTree, toHex } from './test-support.js';

const reference = readReferenceTree();

describe('RFC 9162 hashing', () => {
  it('matches the reference hasher vectors', () => {
    for (const vector of reference.hasher_vectors) {
      const got =
        vector.fn === 'emptyRoot'
          ? emptyTreeHash()
          : vector.fn === 'hashLeaf'
            ? hashLeaf(fromHex(vector.leaf_hex ?? ''))
            : hashChildren(fromHex(vector.left_hex ?? ''), fromHex(vector.right_hex ?? ''));
      expect(toHex(got), vector.fn).toBe(vector.want);
    }
  });

  it('computes the reference root of every tree size 0..8', () => {
    const leaves = reference.leaf_inputs_hex.map((hex) => hashLeaf(fromHex(hex)));
    reference.root_hashes_by_tree_size.forEach((want, size) => {
      expect(toHex(merkleTreeHash(leaves.slice(0, size))), `size ${size}`).toBe(want);
    });
  });

  it('splits at the largest power of two strictly below n', () => {
    expect([2, 3, 4, 5, 8, 9, 2 ** 40 + 1].map(largestPowerOfTwoBelow)).toEqual([1, 2, 2, 4, 4, 8, 2 ** 40]);
  });
});
