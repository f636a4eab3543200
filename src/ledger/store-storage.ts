/**
 * The Store-backed LeafStorage (ledger): the tree's hashes in the store's ledger tables. Leaf
 * hashes live beside their entries in `ledger_entries`, interior nodes in `ledger_nodes`. A
 * leaf is never stored without its entry, so an append takes the entries first (`stage`) and
 * then the tree's leaf hashes and completed nodes, which must match them.
 *
 * @example
 *   const storage = new StoreLeafStorage(tx.ledger);
 *   storage.stage(entries);
 *   await (await LedgerTree.open(storage)).append(entries.map((e) => e.leafHash));
 */
import { EnsuresecError } from '../core/errors.js';
import type { LedgerCollection, LedgerEntryRow } from '../store/store.js';
import { bytesEqual } from './encoding.js';
import type { LeafStorage, NodeAddress, StoredNode } from './storage.js';

export class StoreLeafStorage implements LeafStorage {
  private staged: LedgerEntryRow[] = [];

  constructor(private ledger: LedgerCollection) {}

  /** Points the storage at another view of the tables, e.g. the current transaction's. */
  bind(ledger: LedgerCollection): this {
    this.ledger = ledger;
    return this;
  }

  /** The entries the next `append` writes; their leaf hashes must be the ones appended. */
  stage(entries: readonly LedgerEntryRow[]): void {
    this.staged = [...entries];
  }

  treeSize(): Promise<number> {
    return this.ledger.size();
  }

  async append(
    firstIndex: number,
    leafHashes: readonly Uint8Array[],
    completedNodes: readonly StoredNode[],
  ): Promise<void> {
    const entries = this.staged;
    this.staged = [];
    const matches =
      entries.length === leafHashes.length &&
      entries.every(
        (entry, i) =>
          entry.index === firstIndex + i && bytesEqual(entry.leafHash, leafHashes[i] as Uint8Array),
      );
    if (!matches) {
      throw new EnsuresecError('internal', {
        detail: 'Ledger leaves were appended without their entries; nothing was written.',
      });
    }
    await this.ledger.append(entries, completedNodes);
  }

  readNodes(addresses: readonly NodeAddress[]): Promise<(Uint8Array | undefined)[]> {
    return this.ledger.readNodes(addresses);
  }

  readLeafHashes(firstIndex: number, count: number): Promise<Uint8Array[]> {
    return this.ledger.readLeafHashes(firstIndex, count);
  }
}
