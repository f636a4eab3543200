/**
 * Aho-Corasick automaton (gateway/waf/operators) behind `@pm` and `@pmFromFile`: all phrases
 * are found in one pass over the value, case-insensitively for ASCII letters as ModSecurity's
 * acmp does. Built once at load time into flat typed arrays (data files hold thousands of
 * phrases): the root keeps a full 256-entry table, other nodes a short sorted edge list.
 *
 * @example new AhoCorasick(['select', 'union']).search('1 UNION 2') // 'union'
 */

function lowerAscii(code: number): number {
  return code >= 0x41 && code <= 0x5a ? code + 0x20 : code;
}

export class AhoCorasick {
  private readonly rootNext = new Int32Array(256);
  private readonly edgeStart: Int32Array;
  private readonly edgeByte: Uint8Array;
  private readonly edgeTarget: Int32Array;
  private readonly fail: Int32Array;
  /** Index into `phrases` of a phrase ending at this node (own or via the fail chain), or -1. */
  private readonly output: Int32Array;
  readonly phrases: string[];

  constructor(phrases: Iterable<string>) {
    this.phrases = [...new Set([...phrases].filter((phrase) => phrase.length > 0))];
    const children: Array<Map<number, number>> = [new Map()];
    const own: number[] = [-1];
    this.phrases.forEach((phrase, index) => {
      let node = 0;
      for (let i = 0; i < phrase.length; i++) {
        const byte = lowerAscii(phrase.charCodeAt(i) & 0xff);
        let next = children[node]!.get(byte);
        if (next === undefined) {
          next = children.length;
          children.push(new Map());
          own.push(-1);
          children[node]!.set(byte, next);
        }
        node = next;
      }
      if (own[node] === -1) own[node] = index;
    });

    const count = children.length;
    this.fail = new Int32Array(count);
    this.output = Int32Array.from(own);
    this.edgeStart = new Int32Array(count + 1);
    const edges = children.reduce((sum, map) => sum + map.size, 0);
    this.edgeByte = new Uint8Array(edges);
    this.edgeTarget = new Int32Array(edges);
    let offset = 0;
    for (let node = 0; node < count; node++) {
      this.edgeStart[node] = offset;
      for (const [byte, target] of [...children[node]!].sort((a, b) => a[0] - b[0])) {
        this.edgeByte[offset] = byte;
        this.edgeTarget[offset++] = target;
      }
    }
    this.edgeStart[count] = offset;

    // Breadth-first: a node's fail link is the longest proper suffix that is also a trie path.
    const queue: number[] = [];
    for (let byte = 0; byte < 256; byte++) this.rootNext[byte] = children[0]!.get(byte) ?? 0;
    for (const child of children[0]!.values()) queue.push(child);
    for (let head = 0; head < queue.length; head++) {
      const node = queue[head]!;
      for (const [byte, child] of children[node]!) {
        this.fail[child] = this.next(this.fail[node]!, byte);
        if (this.output[child] === -1) this.output[child] = this.output[this.fail[child]!]!;
        queue.push(child);
      }
    }
  }

  private child(node: number, byte: number): number {
    for (let e = this.edgeStart[node]!, end = this.edgeStart[node + 1]!; e < end; e++) {
      if (this.edgeByte[e] === byte) return this.edgeTarget[e]!;
    }
    return -1;
  }

  private next(node: number, byte: number): number {
    for (;;) {
      if (node === 0) return this.rootNext[byte]!;
      const target = this.child(node, byte);
      if (target >= 0) return target;
      node = this.fail[node]!;
    }
  }

  /** The first phrase found (earliest end), as written in the list, or null. */
  search(value: string): string | null {
    let node = 0;
    for (let i = 0; i < value.length; i++) {
      node = this.next(node, lowerAscii(value.charCodeAt(i) & 0xff));
      const found = this.output[node]!;
      if (found >= 0) return this.phrases[found]!;
    }
    return null;
  }
}
