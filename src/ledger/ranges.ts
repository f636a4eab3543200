/**
 * Which subtree hashes a root or a proof is made of (ledger, no I/O). RFC 9162 defines proofs
 * recursively over leaf ranges; here each proof becomes a list of ranges [start, end), and each
 * range a few complete, power-of-two-aligned subtrees the store can hand back directly. That is
 * what keeps a proof at O(log n) reads at any tree size.
 */
import { largestPowerOfTwoBelow } from './hash.js';
import type { NodeAddress } from './storage.js';

export interface LeafRange {
  start: number;
  end: number;
}

/**
 * Split [start, end) into complete aligned subtrees, left to right. For the ranges RFC 9162 builds
 * (start aligned to a power of two ≥ the width) the pieces shrink left to right, and folding them
 * from the right gives MTH of the range.
 */
export function alignedSubtrees({ start, end }: LeafRange): NodeAddress[] {
  const pieces: NodeAddress[] = [];
  let position = start;
  while (position < end) {
    let width = 1;
    let level = 0;
    while (position % (width * 2) === 0 && position + width * 2 <= end) {
      width *= 2;
      level++;
    }
    pieces.push({ level, index: position / width });
    position += width;
  }
  return pieces;
}

/** The ranges whose hashes form the inclusion proof of leaf `index` in a tree of `treeSize` (RFC 9162 §2.1.3.1), leaf first. */
export function inclusionProofRanges(index: number, treeSize: number): LeafRange[] {
  const topDown: LeafRange[] = [];
  let start = 0;
  let end = treeSize;
  while (end - start > 1) {
    const split = start + largestPowerOfTwoBelow(end - start);
    if (index < split) {
      topDown.push({ start: split, end });
      end = split;
    } else {
      topDown.push({ start, end: split });
      start = split;
    }
  }
  return topDown.reverse();
}

/** The ranges of the consistency proof from `oldSize` to `newSize` (RFC 9162 §2.1.4.1 SUBPROOF), deepest first. */
export function consistencyProofRanges(oldSize: number, newSize: number): LeafRange[] {
  const topDown: LeafRange[] = [];
  let start = 0;
  let end = newSize;
  let remaining = oldSize;
  let isWholeOldTree = true;
  while (remaining !== end - start) {
    const width = largestPowerOfTwoBelow(end - start);
    if (remaining <= width) {
      topDown.push({ start: start + width, end });
      end = start + width;
    } else {
      topDown.push({ start, end: start + width });
      start += width;
      remaining -= width;
      isWholeOldTree = false;
    }
  }
  // The verifier knows the old root itself, so it is left out when it is the whole old tree.
  if (!isWholeOldTree) topDown.push({ start, end });
  return topDown.reverse();
}
