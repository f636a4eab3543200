/**
 * Linear-time matcher (gateway/waf/regex): a lazily built DFA over bytes, the defence against
 * catastrophic backtracking. The tree is compiled to a Thompson NFA; DFA states (sets of NFA
 * positions plus the class of the previous byte, which `^` and `\b` need) are built on demand
 * while scanning and cached, so each input byte costs one table lookup once warm and at most
 * one state construction (bounded by the NFA size) otherwise. It answers "is there a match"
 * — all @rx needs unless the rule captures. Look-arounds, back references, atomic groups,
 * possessive quantifiers and `\Z` are outside what a DFA decides: `buildLazyDfa` returns null.
 */
import { ByteSet, UNBOUNDED } from './ast.js';
import type { AssertionKind, RegexNode } from './ast.js';

/** NFA sizes above this are left to irregexp: counted repeats of big groups would explode. */
const MAX_NFA_NODES = 200_000;
/** Cached DFA states per pattern before the cache is flushed (memory stays bounded). */
const MAX_DFA_STATES = 4_000;

const enum Op {
  Byte,
  Split,
  Assert,
  Match,
}

const enum Prev {
  Start,
  Newline,
  Word,
  Other,
}

interface NfaNode {
  op: Op;
  set?: ByteSet;
  assertion?: AssertionKind;
  out: number;
  out2: number;
}

class Unsupported extends Error {}

class NfaBuilder {
  readonly nodes: NfaNode[] = [];

  add(node: NfaNode): number {
    if (this.nodes.length >= MAX_NFA_NODES) throw new Unsupported('NFA too large');
    this.nodes.push(node);
    return this.nodes.length - 1;
  }

  /** Compiles `node` so that it continues at `next`; returns its entry. Built back to front. */
  build(node: RegexNode, next: number): number {
    switch (node.type) {
      case 'set':
        return this.add({ op: Op.Byte, set: node.set, out: next, out2: -1 });
      case 'seq': {
        let entry = next;
        for (let i = node.items.length - 1; i >= 0; i--) entry = this.build(node.items[i]!, entry);
        return entry;
      }
      case 'alt': {
        let entry = this.build(node.options[node.options.length - 1]!, next);
        for (let i = node.options.length - 2; i >= 0; i--) {
          entry = this.add({ op: Op.Split, out: this.build(node.options[i]!, next), out2: entry });
        }
        return entry;
      }
      case 'group':
        return this.build(node.node, next);
      case 'assert':
        if (node.kind === 'textEndNewline') throw new Unsupported('\\Z needs two bytes of look-ahead');
        return this.add({ op: Op.Assert, assertion: node.kind, out: next, out2: -1 });
      case 'repeat': {
        if (node.possessive) throw new Unsupported('possessive quantifier');
        let entry = next;
        if (node.max === UNBOUNDED) {
          const loop = this.add({ op: Op.Split, out: -1, out2: next });
          this.nodes[loop]!.out = this.build(node.node, loop);
          entry = loop;
        } else {
          for (let i = node.max - node.min; i > 0; i--) {
            entry = this.add({ op: Op.Split, out: this.build(node.node, entry), out2: next });
            next = entry;
          }
        }
        for (let i = 0; i < node.min; i++) entry = this.build(node.node, entry);
        return entry;
      }
      default:
        throw new Unsupported(node.type);
    }
  }
}

interface DfaState {
  /** NFA byte positions alive before the next byte (the start position is implied). */
  kernel: Int32Array;
  prev: Prev;
  /** 1 when a match ends at end of input from here, 0 when not, -1 not computed. */
  acceptsAtEnd: number;
}

const END = -1;

function isWordByte(byte: number): boolean {
  return (
    (byte >= 0x30 && byte <= 0x39) ||
    (byte >= 0x41 && byte <= 0x5a) ||
    (byte >= 0x61 && byte <= 0x7a) ||
    byte === 0x5f
  );
}

function prevOf(byte: number): Prev {
  return byte === 0x0a ? Prev.Newline : isWordByte(byte) ? Prev.Word : Prev.Other;
}

function assertionHolds(kind: AssertionKind, prev: Prev, next: number): boolean {
  switch (kind) {
    case 'lineStart':
      return prev === Prev.Start || prev === Prev.Newline;
    case 'lineEnd':
      return next === END || next === 0x0a;
    case 'textStart':
      return prev === Prev.Start;
    case 'textEnd':
      return next === END;
    case 'wordBoundary':
      return (prev === Prev.Word) !== (next !== END && isWordByte(next));
    case 'notWordBoundary':
      return (prev === Prev.Word) === (next !== END && isWordByte(next));
    default:
      return false;
  }
}

export class LazyDfa {
  private readonly classOf = new Uint8Array(256);
  private readonly representative: number[] = [];
  private states: DfaState[] = [];
  private index = new Map<string, number>();
  /**
   * Transitions of every state in one flat table at `stateId * classCount + class`. An entry holds
   * the next state's row offset (`nextId * classCount`) times 2, plus 1 when a match ends before
   * that byte; -1 not built. One typed-array load and no multiply per input byte once warm.
   */
  private table = new Int32Array(0);
  private classCount = 0;
  /** Bumped when the state cache is flushed, so a step never writes into a dropped state. */
  private epoch = 0;
  private startId = -1;
  private readonly mark: Int32Array;
  private generation = 0;

  constructor(
    private readonly nodes: NfaNode[],
    private readonly start: number,
  ) {
    this.mark = new Int32Array(nodes.length);
    this.buildByteClasses();
    this.classCount = this.representative.length;
  }

  /** Byte classes: bytes no NFA set, `\b` or `^`/`$` can tell apart share one column. */
  private buildByteClasses(): void {
    const signatures = new Map<string, number>();
    const sets = this.nodes.filter((n) => n.op === Op.Byte).map((n) => n.set!);
    const distinct: ByteSet[] = [];
    for (const set of sets) if (!distinct.some((d) => d.equals(set))) distinct.push(set);
    for (let byte = 0; byte < 256; byte++) {
      let signature = `${prevOf(byte)}:`;
      for (const set of distinct) signature += set.has(byte) ? '1' : '0';
      let cls = signatures.get(signature);
      if (cls === undefined) {
        cls = signatures.size;
        signatures.set(signature, cls);
        this.representative.push(byte);
      }
      this.classOf[byte] = cls;
    }
  }

  private stateFor(kernel: Int32Array, prev: Prev): number {
    const key = `${prev}|${kernel.join(',')}`;
    const found = this.index.get(key);
    if (found !== undefined) return found;
    if (this.states.length >= MAX_DFA_STATES) {
      this.states = [];
      this.index = new Map();
      this.startId = -1;
      this.epoch++;
    }
    const id = this.states.length;
    this.states.push({ kernel, prev, acceptsAtEnd: -1 });
    const needed = (id + 1) * this.classCount;
    if (this.table.length < needed) {
      const grown = new Int32Array(Math.max(needed, this.table.length * 2, 16 * this.classCount));
      grown.set(this.table);
      this.table = grown;
    }
    this.table.fill(-1, id * this.classCount, needed);
    this.index.set(key, id);
    return id;
  }

  private startState(): number {
    if (this.startId < 0) this.startId = this.stateFor(new Int32Array(0), Prev.Start);
    return this.startId;
  }

  /** Follows splits and assertions from the kernel (plus the start) given the next byte. */
  private closure(state: DfaState, next: number, out: number[]): boolean {
    this.generation++;
    if (this.generation === 0x7fffffff) {
      this.mark.fill(0);
      this.generation = 1;
    }
    const stack: number[] = [this.start];
    for (let i = state.kernel.length - 1; i >= 0; i--) stack.push(state.kernel[i]!);
    let matched = false;
    while (stack.length > 0) {
      const pc = stack.pop()!;
      if (this.mark[pc] === this.generation) continue;
      this.mark[pc] = this.generation;
      const node = this.nodes[pc]!;
      switch (node.op) {
        case Op.Match:
          matched = true;
          break;
        case Op.Byte:
          out.push(pc);
          break;
        case Op.Split:
          stack.push(node.out2, node.out);
          break;
        case Op.Assert:
          if (assertionHolds(node.assertion!, state.prev, next)) stack.push(node.out);
          break;
      }
    }
    return matched;
  }

  private step(stateId: number, cls: number): number {
    const state = this.states[stateId]!;
    const byte = this.representative[cls]!;
    const alive: number[] = [];
    const matched = this.closure(state, byte, alive) ? 1 : 0;
    const following = new Set<number>();
    for (const pc of alive) {
      const node = this.nodes[pc]!;
      if (node.set!.has(byte)) following.add(node.out);
    }
    const kernel = Int32Array.from([...following].sort((a, b) => a - b));
    const epoch = this.epoch;
    const target = this.stateFor(kernel, prevOf(byte)) * this.classCount * 2 + matched;
    // A flush inside stateFor drops `state`; only cache into a state that survived.
    if (this.epoch === epoch) this.table[stateId * this.classCount + cls] = target;
    return target;
  }

  /** `row` is a state's offset in the table (`stateId * classCount`). */
  private transition(row: number, code: number): number {
    const cls = this.classOf[code > 0xff ? 0xff : code]!;
    const target = this.table[row + cls]!;
    return target === -1 ? this.step(row / this.classCount, cls) : target;
  }

  private acceptsAtEnd(stateId: number): boolean {
    const state = this.states[stateId]!;
    if (state.acceptsAtEnd === -1) state.acceptsAtEnd = this.closure(state, END, []) ? 1 : 0;
    return state.acceptsAtEnd === 1;
  }

  /**
   * For a DFA built from the REVERSED pattern: scans `input` from its end and returns the
   * smallest index where a match of the original pattern starts, or -1. Linear, like `test`.
   */
  leftmostStartReversed(input: string): number {
    let row = this.startState() * this.classCount;
    let leftmost = -1;
    for (let i = input.length - 1; i >= 0; i--) {
      const target = this.transition(row, input.charCodeAt(i));
      if ((target & 1) === 1) leftmost = i + 1;
      row = target >> 1;
    }
    return this.acceptsAtEnd(row / this.classCount) ? 0 : leftmost;
  }

  /** True when the pattern matches anywhere in `input` (a byte string). */
  test(input: string): boolean {
    const classOf = this.classOf;
    const classCount = this.classCount;
    let row = this.startState() * classCount;
    let table = this.table;
    for (let i = 0; i < input.length; i++) {
      const code = input.charCodeAt(i);
      const cls = classOf[code > 0xff ? 0xff : code]!;
      let target = table[row + cls]!;
      if (target === -1) {
        target = this.step(row / classCount, cls);
        table = this.table;
      }
      if ((target & 1) === 1) return true;
      row = target >> 1;
    }
    return this.acceptsAtEnd(row / classCount);
  }
}

const MIRRORED: Partial<Record<AssertionKind, AssertionKind>> = {
  lineStart: 'lineEnd',
  lineEnd: 'lineStart',
  textStart: 'textEnd',
  textEnd: 'textStart',
};

/** The pattern read right to left: `^` and `$` trade places, `\b` stays. */
export function reverseNode(node: RegexNode): RegexNode {
  switch (node.type) {
    case 'seq':
      return { type: 'seq', items: node.items.map(reverseNode).reverse() };
    case 'alt':
      return { type: 'alt', options: node.options.map(reverseNode) };
    case 'repeat':
    case 'group':
    case 'atomic':
    case 'look':
      return { ...node, node: reverseNode(node.node) };
    case 'assert':
      return { type: 'assert', kind: MIRRORED[node.kind] ?? node.kind };
    default:
      return node;
  }
}

/** Builds the linear-time matcher, or null when the pattern needs a backtracking engine. */
export function buildLazyDfa(root: RegexNode): LazyDfa | null {
  const builder = new NfaBuilder();
  try {
    const match = builder.add({ op: Op.Match, out: -1, out2: -1 });
    const start = builder.build(root, match);
    return new LazyDfa(builder.nodes, start);
  } catch (error) {
    if (error instanceof Unsupported) return null;
    throw error;
  }
}
