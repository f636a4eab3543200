/**
 * The literal index (gateway/waf/regex, run time): one Aho-Corasick automaton over the required
 * literals of every rule (required-literals.ts), ASCII case folded. `scan` reads a value once and
 * answers which literals occur in it; a rule whose literals are all absent cannot match, so its
 * regex is not run. Built once per rule set into flat typed arrays: a full 256-entry table for
 * the root and sorted edge lists below it, and for each node the literals that end there,
 * its own and those of its suffixes (dictionary links), flattened.
 *
 * @example
 * const index = new LiteralIndex(['select', 'union', '<']);
 * index.scan('1 UNION SELECT 2') // Int32Array [1, 0] (ids of 'union' and 'select')
 */

const lowerAscii = (code: number): number => (code >= 0x41 && code <= 0x5a ? code + 0x20 : code);
const NONE: readonly number[] = Object.freeze([]);

/** ASCII lower case, byte by byte, as both the index and the regex side fold. */
export function foldLiteral(literal: string): string {
  let out = '';
  for (let i = 0; i < literal.length; i++)
    out += String.fromCharCode(lowerAscii(literal.charCodeAt(i) & 0xff));
  return out;
}

export class LiteralIndex {
  /** Literal id -> literal, folded. */
  readonly literals: readonly string[];
  private readonly idOf = new Map<string, number>();
  private readonly rootNext = new Int32Array(256);
  private readonly edgeStart: Int32Array;
  private readonly edgeByte: Uint8Array;
  private readonly edgeTarget: Int32Array;
  private readonly fail: Int32Array;
  /**
   * Full 256-entry rows for the root's children (depth 1), where most of a scan of ordinary text
   * stays and which have the most edges: row r is dense[r * 256 .. r * 256 + 255], denseRow[n] is
   * node n's row or -1. About 100 KB for the CRS.
   */
  private readonly denseRow: Int32Array;
  private readonly dense: Int32Array;
  /** Literals ending at node n: outIds[outStart[n] .. outStart[n + 1]). */
  private readonly outStart: Int32Array;
  private readonly outIds: Int32Array;
  /** Per scan: the generation that last saw each literal, to report each literal once. */
  private readonly seen: Int32Array;
  private generation = 0;

  constructor(literals: Iterable<string>) {
    const list: string[] = [];
    for (const literal of literals) {
      const folded = foldLiteral(literal);
      if (folded.length === 0 || this.idOf.has(folded)) continue;
      this.idOf.set(folded, list.length);
      list.push(folded);
    }
    this.literals = list;
    this.seen = new Int32Array(list.length);

    const children: Array<Map<number, number>> = [new Map()];
    const own: number[][] = [[]];
    list.forEach((literal, id) => {
      let node = 0;
      for (let i = 0; i < literal.length; i++) {
        const byte = literal.charCodeAt(i);
        let next = children[node]!.get(byte);
        if (next === undefined) {
          next = children.length;
          children.push(new Map());
          own.push([]);
          children[node]!.set(byte, next);
        }
        node = next;
      }
      own[node]!.push(id);
    });

    const count = children.length;
    this.fail = new Int32Array(count);
    this.denseRow = new Int32Array(count).fill(-1);
    const depthOne = [...children[0]!.values()];
    this.dense = new Int32Array(depthOne.length * 256);
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

    // Breadth first, so a node's fail target (a shorter suffix) is complete before the node.
    const outputs: number[][] = own.map((ids) => [...ids]);
    const queue: number[] = [];
    for (let byte = 0; byte < 256; byte++) this.rootNext[byte] = children[0]!.get(byte) ?? 0;
    for (const child of children[0]!.values()) queue.push(child);
    for (let head = 0; head < queue.length; head++) {
      const node = queue[head]!;
      for (const [byte, child] of children[node]!) {
        const failTarget = this.next(this.fail[node]!, byte);
        this.fail[child] = failTarget;
        outputs[child]!.push(...outputs[failTarget]!);
        queue.push(child);
      }
    }
    depthOne.forEach((node, row) => {
      for (let byte = 0; byte < 256; byte++) this.dense[row * 256 + byte] = this.next(node, byte);
    });
    // Only now: next() above must walk the edges, not rows still being filled.
    depthOne.forEach((node, row) => (this.denseRow[node] = row));
    this.outStart = new Int32Array(count + 1);
    this.outIds = new Int32Array(outputs.reduce((sum, ids) => sum + ids.length, 0));
    let at = 0;
    for (let node = 0; node < count; node++) {
      this.outStart[node] = at;
      for (const id of outputs[node]!) this.outIds[at++] = id;
    }
    this.outStart[count] = at;
  }

  /** The id of a literal (folded here), or -1. */
  idFor(literal: string): number {
    return this.idOf.get(foldLiteral(literal)) ?? -1;
  }

  private next(node: number, byte: number): number {
    for (;;) {
      if (node === 0) return this.rootNext[byte]!;
      const row = this.denseRow[node]!;
      if (row >= 0) return this.dense[row * 256 + byte]!;
      for (let e = this.edgeStart[node]!, end = this.edgeStart[node + 1]!; e < end; e++) {
        if (this.edgeByte[e] === byte) return this.edgeTarget[e]!;
      }
      node = this.fail[node]!;
    }
  }

  /** The distinct ids of several scan results, in first-seen order. */
  union(results: Iterable<readonly number[]>): readonly number[] {
    const generation = this.nextGeneration();
    let ids: number[] | null = null;
    for (const found of results) {
      for (let i = 0; i < found.length; i++) {
        const id = found[i]!;
        if (this.seen[id] !== generation) {
          this.seen[id] = generation;
          (ids ??= []).push(id);
        }
      }
    }
    return ids ?? NONE;
  }

  private nextGeneration(): number {
    this.generation = this.generation === 0x7fffffff ? 1 : this.generation + 1;
    if (this.generation === 1) this.seen.fill(0);
    return this.generation;
  }

  /**
   * Ids of the literals that occur in `value` (bytes as char codes), each once, in order found.
   * A plain array: most results are empty or tiny, and a typed array costs far more to allocate.
   */
  scan(value: string): readonly number[] {
    if (this.literals.length === 0) return NONE;
    const generation = this.nextGeneration();
    let found: number[] | null = null;
    const { outStart, outIds, seen } = this;
    let node = 0;
    for (let i = 0; i < value.length; i++) {
      node = this.next(node, lowerAscii(value.charCodeAt(i) & 0xff));
      for (let o = outStart[node]!, end = outStart[node + 1]!; o < end; o++) {
        const id = outIds[o]!;
        if (seen[id] !== generation) {
          seen[id] = generation;
          (found ??= []).push(id);
        }
      }
    }
    return found ?? NONE;
  }
}
