/**
 * RFC 9162 (RFC 6962) Merkle hashing with SHA-256 (ledger, no I/O): the leaf and node hashes
 * with their domain-separation prefixes, the empty-tree hash and the Merkle Tree Hash (MTH) of
 * §2.1.1. Everything else in the ledger (tree, proofs, verifiers, audit) builds on these.
 *
 * @example
 *   const leaf = hashLeaf(new TextEncoder().encode(canonicalJson(record)));
 *   merkleTreeHash([leaf]) // equals leaf
 */
import { createHash } from 'node:crypto';

export const HASH_SIZE_BYTES = 32;

const LEAF_PREFIX = new Uint8Array([0x00]);
const NODE_PREFIX = new Uint8Array([0x01]);

/** MTH({}) = SHA-256 of the empty string. */
export function emptyTreeHash(): Uint8Array {
  return new Uint8Array(createHash('sha256').digest());
}

/** MTH({d}) = SHA-256(0x00 || d). */
export function hashLeaf(data: Uint8Array): Uint8Array {
  return new Uint8Array(createHash('sha256').update(LEAF_PREFIX).update(data).digest());
}

/** SHA-256(0x01 || left || right), the interior node of RFC 9162 §2.1.1. */
export function hashChildren(left: Uint8Array, right: Uint8Array): Uint8Array {
  return new Uint8Array(createHash('sha256').update(NODE_PREFIX).update(left).update(right).digest());
}

/** The largest power of two strictly smaller than n (n ≥ 2): RFC 9162's split point k. */
export function largestPowerOfTwoBelow(n: number): number {
  let k = 1;
  while (k * 2 < n) k *= 2;
  return k;
}

/**
 * MTH(D[n]) over already-hashed leaves, by the recursive definition of RFC 9162 §2.1.1. This is
 * the audit path: it needs no cache, so it recomputes the root of a log from its leaves alone.
 */
export function merkleTreeHash(leafHashes: readonly Uint8Array[]): Uint8Array {
  if (leafHashes.length === 0) return emptyTreeHash();
  return subtreeHash(leafHashes, 0, leafHashes.length);
}

function subtreeHash(leafHashes: readonly Uint8Array[], start: number, end: number): Uint8Array {
  if (end - start === 1) {
    const leaf = leafHashes[start];
    if (leaf === undefined) throw new RangeError(`leaf ${start} is missing`);
    return leaf;
  }
  const k = largestPowerOfTwoBelow(end - start);
  return hashChildren(subtreeHash(leafHashes, start, start + k), subtreeHash(leafHashes, start + k, end));
}
