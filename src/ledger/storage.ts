/**
 * Where the ledger's Merkle tree keeps its hashes (ledger; the interface is the only I/O seam).
 * A node is addressed by (level, index): level 0 holds the leaf hashes, and node (L, i) is the
 * root of the complete subtree over leaves [i·2^L, (i+1)·2^L). This maps onto one SQL table
 * `ledger_nodes(level, index, hash, PRIMARY KEY (level, index))`. Leaves are mandatory; interior
 * nodes are a cache a store MAY thin out (e.g. keep every fourth level): the tree recomputes any
 * node it does not find from that node's children.
 */
import { EnsuresecError } from '../core/errors.js';

export interface NodeAddress {
  level: number;
  index: number;
}

export interface StoredNode extends NodeAddress {
  hash: Uint8Array;
}

export interface LeafStorage {
  /** The number of leaves stored. */
  treeSize(): Promise<number>;
  /**
   * Append leaf hashes at `firstIndex` (must equal the current size, else reject with `conflict`)
   * together with the complete subtrees they close, atomically (one transaction in SQL): a crash
   * leaves either all of it or none.
   */
  append(
    firstIndex: number,
    leafHashes: readonly Uint8Array[],
    completedNodes: readonly StoredNode[],
  ): Promise<void>;
  /** Read nodes in one round trip; `undefined` where a node is not stored. Order follows `addresses`. */
  readNodes(addresses: readonly NodeAddress[]): Promise<(Uint8Array | undefined)[]>;
  /** Leaf hashes [firstIndex, firstIndex + count) clipped to the tree size: the audit's scan. */
  readLeafHashes(firstIndex: number, count: number): Promise<Uint8Array[]>;
}

const HASH_BYTES = 32;

/** One level of the in-memory store: hashes packed into one growing buffer (32 bytes each). */
class PackedHashes {
  private bytes = new Uint8Array(HASH_BYTES * 1024);
  length = 0;

  push(hash: Uint8Array): void {
    if (this.bytes.byteLength < (this.length + 1) * HASH_BYTES) {
      const grown = new Uint8Array(this.bytes.byteLength * 2);
      grown.set(this.bytes);
      this.bytes = grown;
    }
    this.bytes.set(hash, this.length * HASH_BYTES);
    this.length++;
  }

  /** A copy, so a caller cannot alter the stored hash. */
  at(index: number): Uint8Array | undefined {
    if (!Number.isInteger(index) || index < 0 || index >= this.length) return undefined;
    return this.bytes.slice(index * HASH_BYTES, (index + 1) * HASH_BYTES);
  }
}

/**
 * The in-memory LeafStorage: for tests, the benchmark and short-lived demos. `keepLevel` lets a
 * test thin the cache to prove the tree copes with a store that keeps only some levels.
 */
export class MemoryLeafStorage implements LeafStorage {
  private readonly levels: PackedHashes[] = [new PackedHashes()];
  private readonly keepLevel: (level: number) => boolean;

  constructor(options: { keepLevel?: (level: number) => boolean } = {}) {
    this.keepLevel = options.keepLevel ?? (() => true);
  }

  async treeSize(): Promise<number> {
    return this.leaves().length;
  }

  async append(
    firstIndex: number,
    leafHashes: readonly Uint8Array[],
    completedNodes: readonly StoredNode[],
  ): Promise<void> {
    const leaves = this.leaves();
    if (firstIndex !== leaves.length) {
      throw new EnsuresecError('conflict', {
        detail: `Ledger append at ${firstIndex} but the log holds ${leaves.length} leaves; reload and retry.`,
      });
    }
    for (const hash of [...leafHashes, ...completedNodes.map((node) => node.hash)]) {
      if (hash.byteLength !== HASH_BYTES)
        throw new EnsuresecError('bad_request', { detail: 'A hash is not 32 bytes.' });
    }
    for (const hash of leafHashes) leaves.push(hash);
    // Completed nodes arrive in creation order, so each level grows in index order.
    for (const node of completedNodes) {
      if (node.level === 0 || !this.keepLevel(node.level)) continue;
      const level = this.level(node.level);
      if (node.index === level.length) level.push(node.hash);
    }
  }

  async readNodes(addresses: readonly NodeAddress[]): Promise<(Uint8Array | undefined)[]> {
    return addresses.map(({ level, index }) => this.levels[level]?.at(index));
  }

  async readLeafHashes(firstIndex: number, count: number): Promise<Uint8Array[]> {
    const leaves = this.leaves();
    const out: Uint8Array[] = [];
    for (let i = Math.max(0, firstIndex); i < Math.min(leaves.length, firstIndex + count); i++) {
      const hash = leaves.at(i);
      if (hash) out.push(hash);
    }
    return out;
  }

  private leaves(): PackedHashes {
    return this.level(0);
  }

  private level(level: number): PackedHashes {
    while (this.levels.length <= level) this.levels.push(new PackedHashes());
    return this.levels[level] as PackedHashes;
  }
}
