/**
 * A binary prefix trie of CIDR blocks (enforcement): a lookup walks at most 32 (IPv4) or
 * 128 (IPv6) bits, stops where the trie ends, and calls back for every block on the way,
 * so every CIDR containing the address is seen in one pass.
 */
import { bitAt } from './ip.js';

interface TrieNode<T> {
  zero: TrieNode<T> | null;
  one: TrieNode<T> | null;
  values: T[] | null;
}

function node<T>(): TrieNode<T> {
  return { zero: null, one: null, values: null };
}

export class PrefixTrie<T> {
  private readonly root: TrieNode<T> = node();
  size = 0;

  insert(words: Uint32Array, prefixBits: number, value: T): void {
    let current = this.root;
    for (let i = 0; i < prefixBits; i++) {
      if (bitAt(words, i) === 0) current = current.zero ??= node();
      else current = current.one ??= node();
    }
    (current.values ??= []).push(value);
    this.size++;
  }

  /** Calls `visit` for each value whose block contains the address, shortest prefix first. */
  forEachMatch(words: Uint32Array, addressBits: number, visit: (value: T) => void): void {
    let current: TrieNode<T> | null = this.root;
    for (let i = 0; current !== null; i++) {
      if (current.values !== null) for (const value of current.values) visit(value);
      if (i === addressBits) break;
      current = bitAt(words, i) === 0 ? current.zero : current.one;
    }
  }
}
