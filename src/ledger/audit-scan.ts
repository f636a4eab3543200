/**
 * The audit's instruments (ledger): one-shot RFC 9162 hashing over reused buffers, the right
 * edge of a tree rebuilt leaf by leaf, and a paged cursor over one level of stored nodes.
 */
import { hash } from 'node:crypto';
import type { LedgerCollection } from '../store/store.js';
import { emptyTreeHash } from './hash.js';

/*
 * The audit hashes every leaf and node of the log once, so it uses one-shot hashing over
 * reused buffers rather than the general helpers of hash.ts (same RFC 9162 hashes, fewer
 * allocations: this loop runs a million times for a million entries).
 */
let leafScratch = Buffer.alloc(64 * 1024);
const nodeScratch = Buffer.alloc(65);

/** SHA-256(0x00 ‖ UTF-8 text). */
export function leafHashOf(text: string): Buffer {
  const length = Buffer.byteLength(text) + 1;
  if (length > leafScratch.byteLength) leafScratch = Buffer.alloc(length * 2);
  leafScratch[0] = 0x00;
  leafScratch.write(text, 1);
  return hash('sha256', leafScratch.subarray(0, length), 'buffer');
}

/** SHA-256(0x01 ‖ left ‖ right). */
export function nodeHashOf(left: Uint8Array, right: Uint8Array): Buffer {
  nodeScratch[0] = 0x01;
  nodeScratch.set(left, 1);
  nodeScratch.set(right, 33);
  return hash('sha256', nodeScratch, 'buffer');
}

export const same = (a: Uint8Array, b: Uint8Array): boolean => Buffer.compare(a, b) === 0;

interface EdgeNode {
  level: number;
  hash: Uint8Array;
}

/** The right edge of a tree being built leaf by leaf; reports each complete subtree it closes. */
export class Edge {
  size = 0;
  constructor(private nodes: EdgeNode[] = []) {}

  clone(): Edge {
    const copy = new Edge([...this.nodes]);
    copy.size = this.size;
    return copy;
  }

  push(leaf: Uint8Array, closed?: (level: number, index: number, hash: Uint8Array) => void): void {
    let node: EdgeNode = { level: 0, hash: leaf };
    let last = this.nodes[this.nodes.length - 1];
    while (last !== undefined && last.level === node.level) {
      this.nodes.pop();
      node = { level: node.level + 1, hash: nodeHashOf(last.hash, node.hash) };
      closed?.(node.level, Math.floor(this.size / 2 ** node.level), node.hash);
      last = this.nodes[this.nodes.length - 1];
    }
    this.nodes.push(node);
    this.size++;
  }

  root(): Uint8Array {
    let root: Uint8Array | undefined;
    for (let i = this.nodes.length - 1; i >= 0; i--) {
      const node = this.nodes[i] as EdgeNode;
      root = root === undefined ? node.hash : nodeHashOf(node.hash, root);
    }
    return root ?? emptyTreeHash();
  }
}

export const NEXT_PAGE = Symbol('next page');

/** Reads one level's stored nodes in index order, a page at a time. */
export class NodeCursor {
  private page: { index: number; hash: Uint8Array }[] = [];
  private at = 0;
  private nextFrom = 0;
  private exhausted = false;

  constructor(
    private readonly ledger: LedgerCollection,
    private readonly level: number,
    private readonly pageSize: number,
  ) {}

  /**
   * The stored hash of node `index` (asked in increasing order), undefined when it is missing,
   * or NEXT_PAGE when the page in hand ends first (then `nextPage`, and ask again).
   */
  take(index: number): Uint8Array | undefined | typeof NEXT_PAGE {
    while (this.at < this.page.length) {
      const node = this.page[this.at] as { index: number; hash: Uint8Array };
      if (node.index > index) return undefined;
      this.at++;
      if (node.index === index) return node.hash;
    }
    return this.exhausted ? undefined : NEXT_PAGE;
  }

  async nextPage(index: number): Promise<void> {
    this.page = await this.ledger.listNodes(this.level, Math.max(this.nextFrom, index), this.pageSize);
    this.at = 0;
    this.exhausted = this.page.length < this.pageSize;
    const last = this.page[this.page.length - 1];
    if (last) this.nextFrom = last.index + 1;
  }
}
