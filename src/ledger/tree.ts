/**
 * The append-only Merkle tree log (ledger): appends leaf hashes in batches to a LeafStorage and
 * answers roots, inclusion proofs and consistency proofs (RFC 9162 §2.1) at any size up to the
 * current one. It holds only the right edge of the tree in memory (≤ 64 hashes); everything else
 * is read from storage in one batch per request, O(log n) nodes.
 *
 * @example
 *   const tree = await LedgerTree.open(new MemoryLeafStorage());
 *   await tree.append([hashLeaf(canonicalJsonBytes(record))]);
 *   const proof = await tree.inclusionProof(0, tree.size);
 */
import { EnsuresecError } from '../core/errors.js';
import { emptyTreeHash, hashChildren, HASH_SIZE_BYTES } from './hash.js';
import { alignedSubtrees, consistencyProofRanges, inclusionProofRanges, type LeafRange } from './ranges.js';
import type { LeafStorage, NodeAddress, StoredNode } from './storage.js';

interface EdgeNode {
  level: number;
  hash: Uint8Array;
}

export interface AppendResult {
  firstIndex: number;
  treeSize: number;
}

export class LedgerTree {
  private appending: Promise<unknown> = Promise.resolve();

  private constructor(
    private readonly storage: LeafStorage,
    private edge: EdgeNode[],
    private currentSize: number,
  ) {}

  /** Load the right edge of the stored tree: O(log n) reads. */
  static async open(storage: LeafStorage): Promise<LedgerTree> {
    const size = await storage.treeSize();
    const addresses = alignedSubtrees({ start: 0, end: size });
    const hashes = await resolveNodes(storage, addresses);
    const edge = addresses.map((address, i) => ({ level: address.level, hash: hashes[i] as Uint8Array }));
    return new LedgerTree(storage, edge, size);
  }

  get size(): number {
    return this.currentSize;
  }

  /** Append leaf hashes as one atomic batch; concurrent calls are queued in call order. */
  append(leafHashes: readonly Uint8Array[]): Promise<AppendResult> {
    const run = this.appending.then(() => this.appendNow(leafHashes));
    this.appending = run.catch(() => undefined);
    return run;
  }

  /** MTH of the first `treeSize` leaves (default: all of them). */
  async root(treeSize: number = this.currentSize): Promise<Uint8Array> {
    this.checkSize(treeSize, 'treeSize');
    if (treeSize === this.currentSize) return this.edgeRoot();
    if (treeSize === 0) return emptyTreeHash();
    const [root] = await this.rangeHashes([{ start: 0, end: treeSize }]);
    return root as Uint8Array;
  }

  /** The audit path of leaf `index` in the tree of `treeSize` leaves, leaf side first. */
  async inclusionProof(index: number, treeSize: number = this.currentSize): Promise<Uint8Array[]> {
    this.checkSize(treeSize, 'treeSize');
    if (!Number.isSafeInteger(index) || index < 0 || index >= treeSize) {
      throw new EnsuresecError('bad_request', {
        detail: `Leaf index ${index} is not in a tree of ${treeSize} leaves.`,
      });
    }
    return this.rangeHashes(inclusionProofRanges(index, treeSize));
  }

  /** The proof that the tree of `oldSize` leaves is a prefix of the tree of `newSize` leaves. */
  async consistencyProof(oldSize: number, newSize: number = this.currentSize): Promise<Uint8Array[]> {
    this.checkSize(newSize, 'newSize');
    if (!Number.isSafeInteger(oldSize) || oldSize < 1 || oldSize > newSize) {
      throw new EnsuresecError('bad_request', {
        detail: `A consistency proof needs 1 ≤ oldSize ≤ newSize; got ${oldSize} and ${newSize}.`,
      });
    }
    return this.rangeHashes(consistencyProofRanges(oldSize, newSize));
  }

  private async appendNow(leafHashes: readonly Uint8Array[]): Promise<AppendResult> {
    for (const hash of leafHashes) {
      if (!(hash instanceof Uint8Array) || hash.byteLength !== HASH_SIZE_BYTES) {
        throw new EnsuresecError('bad_request', { detail: 'Every ledger leaf hash must be 32 bytes.' });
      }
    }
    const firstIndex = this.currentSize;
    const edge = [...this.edge];
    const completed: StoredNode[] = [];
    let size = firstIndex;
    for (const leafHash of leafHashes) {
      let node: EdgeNode = { level: 0, hash: leafHash };
      let last = edge[edge.length - 1];
      while (last !== undefined && last.level === node.level) {
        edge.pop();
        node = { level: node.level + 1, hash: hashChildren(last.hash, node.hash) };
        completed.push({ level: node.level, index: Math.floor(size / 2 ** node.level), hash: node.hash });
        last = edge[edge.length - 1];
      }
      edge.push(node);
      size++;
    }
    // Only a stored batch moves the in-memory edge: a failed append leaves the tree as it was.
    await this.storage.append(firstIndex, leafHashes, completed);
    this.edge = edge;
    this.currentSize = size;
    return { firstIndex, treeSize: size };
  }

  private edgeRoot(): Uint8Array {
    let root: Uint8Array | undefined;
    for (let i = this.edge.length - 1; i >= 0; i--) {
      const node = this.edge[i] as EdgeNode;
      root = root === undefined ? node.hash : hashChildren(node.hash, root);
    }
    return root ?? emptyTreeHash();
  }

  /** MTH of each range, with every subtree of every range read in one storage call. */
  private async rangeHashes(ranges: readonly LeafRange[]): Promise<Uint8Array[]> {
    const piecesPerRange = ranges.map(alignedSubtrees);
    const hashes = await resolveNodes(this.storage, piecesPerRange.flat());
    let next = 0;
    return piecesPerRange.map((pieces) => {
      const own = hashes.slice(next, next + pieces.length);
      next += pieces.length;
      return own.reduceRight((right, left) => hashChildren(left, right));
    });
  }

  private checkSize(treeSize: number, name: string): void {
    if (!Number.isSafeInteger(treeSize) || treeSize < 0 || treeSize > this.currentSize) {
      throw new EnsuresecError('bad_request', {
        detail: `${name} ${treeSize} is not between 0 and the log's size ${this.currentSize}.`,
      });
    }
  }
}

/**
 * Read nodes; any interior node the store does not keep is rebuilt from its two children (read
 * the same way), so a store may cache as few levels as it likes. A missing leaf is corruption.
 */
async function resolveNodes(storage: LeafStorage, addresses: readonly NodeAddress[]): Promise<Uint8Array[]> {
  if (addresses.length === 0) return [];
  const found = await storage.readNodes(addresses);
  const missing: number[] = [];
  addresses.forEach((address, i) => {
    const hash = found[i];
    if (hash !== undefined && hash.byteLength === HASH_SIZE_BYTES) return;
    if (address.level === 0) {
      throw new EnsuresecError('internal', {
        detail: `Ledger storage has no valid hash for leaf ${address.index}; run the ledger audit.`,
      });
    }
    missing.push(i);
  });
  if (missing.length > 0) {
    const children = missing.flatMap((i) => {
      const { level, index } = addresses[i] as NodeAddress;
      return [
        { level: level - 1, index: index * 2 },
        { level: level - 1, index: index * 2 + 1 },
      ];
    });
    const childHashes = await resolveNodes(storage, children);
    missing.forEach((i, j) => {
      found[i] = hashChildren(childHashes[2 * j] as Uint8Array, childHashes[2 * j + 1] as Uint8Array);
    });
  }
  return found as Uint8Array[];
}
