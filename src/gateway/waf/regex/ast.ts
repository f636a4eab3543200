/**
 * The byte-regex syntax tree (gateway/waf/regex): what the PCRE parser builds and what both
 * back ends read — the JavaScript emitter (for V8's irregexp) and the linear-time lazy DFA.
 * Flags are already applied here: `(?i)` has folded the byte sets, `.` is a set, and `^`/`$`
 * name their exact PCRE meaning, so no back end needs to know about inline flags.
 */

/** A set of bytes 0..255, eight 32-bit words. */
export class ByteSet {
  readonly words = new Uint32Array(8);

  static of(...bytes: number[]): ByteSet {
    const set = new ByteSet();
    for (const b of bytes) set.add(b);
    return set;
  }

  static range(from: number, to: number): ByteSet {
    const set = new ByteSet();
    set.addRange(from, to);
    return set;
  }

  add(byte: number): void {
    this.words[byte >>> 5]! |= 1 << (byte & 31);
  }

  addRange(from: number, to: number): void {
    for (let b = from; b <= to; b++) this.add(b);
  }

  addSet(other: ByteSet): void {
    for (let i = 0; i < 8; i++) this.words[i]! |= other.words[i]!;
  }

  has(byte: number): boolean {
    return (this.words[byte >>> 5]! & (1 << (byte & 31))) !== 0;
  }

  complement(): ByteSet {
    const set = new ByteSet();
    for (let i = 0; i < 8; i++) set.words[i] = ~this.words[i]!;
    return set;
  }

  /** Adds the other ASCII case of every letter: PCRE without UTF folds ASCII only. */
  foldAsciiCase(): ByteSet {
    const set = new ByteSet();
    set.addSet(this);
    for (let b = 0x41; b <= 0x5a; b++) {
      if (this.has(b) || this.has(b + 0x20)) {
        set.add(b);
        set.add(b + 0x20);
      }
    }
    return set;
  }

  size(): number {
    let count = 0;
    for (let b = 0; b < 256; b++) if (this.has(b)) count++;
    return count;
  }

  equals(other: ByteSet): boolean {
    for (let i = 0; i < 8; i++) if (this.words[i] !== other.words[i]) return false;
    return true;
  }

  /** Contiguous [from, to] runs, for emitting a character class. */
  ranges(): Array<[number, number]> {
    const out: Array<[number, number]> = [];
    let b = 0;
    while (b < 256) {
      if (!this.has(b)) {
        b++;
        continue;
      }
      const from = b;
      while (b < 256 && this.has(b)) b++;
      out.push([from, b - 1]);
    }
    return out;
  }
}

/** Zero-width assertions, each with its exact PCRE meaning (ModSecurity compiles with MULTILINE). */
export type AssertionKind =
  | 'lineStart' // ^ under MULTILINE: at start or after \n
  | 'lineEnd' // $ under MULTILINE: at end or before \n
  | 'textStart' // \A, or ^ without MULTILINE
  | 'textEnd' // \z
  | 'textEndNewline' // \Z, or $ without MULTILINE: at end or before a final \n
  | 'wordBoundary' // \b
  | 'notWordBoundary'; // \B

export type RegexNode =
  | { type: 'set'; set: ByteSet }
  | { type: 'seq'; items: RegexNode[] }
  | { type: 'alt'; options: RegexNode[] }
  | { type: 'repeat'; node: RegexNode; min: number; max: number; greedy: boolean; possessive: boolean }
  | { type: 'group'; node: RegexNode; capture: number | null; name?: string }
  | { type: 'atomic'; node: RegexNode }
  | { type: 'assert'; kind: AssertionKind }
  | { type: 'look'; node: RegexNode; behind: boolean; negated: boolean }
  | { type: 'backref'; group: number };

/** `max` of an unbounded repetition. */
export const UNBOUNDED = Number.POSITIVE_INFINITY;

export interface ParsedRegex {
  root: RegexNode;
  /** Number of capturing groups, as PCRE numbers them. */
  groupCount: number;
}
