/**
 * Multi-needle search (detect/sigma): an Aho-Corasick automaton over every `contains` needle
 * that the rules look for in one field, compiled into a flat DFA table. One pass over a field's
 * value finds every needle present, whatever the number of rules and needles, so the cost per
 * event grows with the length of the values, not with the size of the rule set.
 * Characters that occur in no needle share one class that always returns to the start state.
 * A table entry holds the next state's row offset (state × classes), negated and minus one
 * when that state ends a needle, so the scan loop does one load and no multiplication per
 * character and looks up outputs only on a hit.
 * An automaton built with `foldAscii` also maps A-Z onto a-z: `scanAsciiFolded` then finds in
 * a mixed-case ASCII value what `scan` finds in its lowercase form, without making that string.
 *
 * @example
 * const ac = new AhoCorasick([['union', 0], ['select', 1]]);
 * ac.scan('1 union select 2', (id) => found.add(id)); // 0, then 1
 */

/**
 * Every scan reads ANCHOR_START before the text and ANCHOR_END after it (two noncharacters), so
 * a needle can say where it must sit: `ANCHOR_START + 'mozilla/5.0' + ANCHOR_END` is found only
 * in a value equal to it. A value holding these characters itself can only add finds, never hide
 * one: anchored needles stay necessary conditions.
 */
export const ANCHOR_START = '\uFFFE';
export const ANCHOR_END = '\uFFFF';
const START_CODE = 0xfffe;
const END_CODE = 0xffff;

export class AhoCorasick {
  private readonly classOf = new Uint16Array(65536);
  private readonly classCount: number;
  /** Next row offset, or `-(row offset) - 1` when the next state ends a needle. */
  private readonly delta: Int32Array;
  /** Needle ids ending at each state (own and through suffix links), or null; by state number. */
  private readonly outputs: Array<Int32Array | null>;

  constructor(needles: ReadonlyArray<readonly [string, number]>, options: { foldAscii?: boolean } = {}) {
    let classes = 1;
    for (const [text] of needles) {
      for (let i = 0; i < text.length; i++) {
        const code = text.charCodeAt(i);
        if (this.classOf[code] === 0) this.classOf[code] = classes++;
      }
    }
    this.classCount = classes;
    if (options.foldAscii === true) {
      for (let code = 65; code <= 90; code++) this.classOf[code] = this.classOf[code + 32]!;
    }
    // the trie
    const children: Array<Map<number, number>> = [new Map()];
    const own: number[][] = [[]];
    for (const [text, id] of needles) {
      let state = 0;
      for (let i = 0; i < text.length; i++) {
        const cls = this.classOf[text.charCodeAt(i)]!;
        let next = children[state]!.get(cls);
        if (next === undefined) {
          next = children.length;
          children.push(new Map());
          own.push([]);
          children[state]!.set(cls, next);
        }
        state = next;
      }
      own[state]!.push(id);
    }
    // breadth-first: failure links, then the full transition table
    const states = children.length;
    const delta = new Int32Array(states * classes);
    const fail = new Int32Array(states);
    const outputs: Array<Int32Array | null> = new Array<Int32Array | null>(states).fill(null);
    const collected: number[][] = own.map((ids) => [...ids]);
    const queue: number[] = [];
    for (let cls = 0; cls < classes; cls++) {
      const child = children[0]!.get(cls);
      delta[cls] = child ?? 0;
      if (child !== undefined) queue.push(child);
    }
    for (let head = 0; head < queue.length; head++) {
      const state = queue[head]!;
      const f = fail[state]!;
      for (const id of collected[f]!) collected[state]!.push(id);
      for (let cls = 0; cls < classes; cls++) {
        const child = children[state]!.get(cls);
        if (child !== undefined) {
          fail[child] = delta[f * classes + cls]!;
          delta[state * classes + cls] = child;
          queue.push(child);
        } else {
          delta[state * classes + cls] = delta[f * classes + cls]!;
        }
      }
    }
    collected.forEach((ids, state) => {
      if (ids.length > 0) outputs[state] = Int32Array.from(new Set(ids));
    });
    for (let i = 0; i < delta.length; i++) {
      const next = delta[i]!;
      delta[i] = outputs[next] ? -(next * classes) - 1 : next * classes;
    }
    this.delta = delta;
    this.outputs = outputs;
  }

  /** Calls `found` for every needle that occurs in `text` (possibly more than once per needle). */
  scan(text: string, found: (id: number) => void): void {
    const { classOf, delta } = this;
    let row = this.step(0, START_CODE, found);
    for (let i = 0; i < text.length; i++) {
      const next = delta[row + classOf[text.charCodeAt(i)]!]!;
      if (next >= 0) row = next;
      else this.report((row = -next - 1), found);
    }
    this.step(row, END_CODE, found);
  }

  /**
   * As `scan` over `text.toLowerCase()`, for an automaton built with `foldAscii`, as long as the
   * text is ASCII: returns false at the first other character (Unicode lowercasing can change
   * lengths and depends on context), having reported only needles found before it, which the
   * lowercase text holds too; the caller then scans the lowercase text.
   */
  scanAsciiFolded(text: string, found: (id: number) => void): boolean {
    const { classOf, delta } = this;
    let row = this.step(0, START_CODE, found);
    for (let i = 0; i < text.length; i++) {
      const code = text.charCodeAt(i);
      if (code > 127) return false;
      const next = delta[row + classOf[code]!]!;
      if (next >= 0) row = next;
      else this.report((row = -next - 1), found);
    }
    this.step(row, END_CODE, found);
    return true;
  }

  /** One transition outside the hot loops (the anchors). */
  private step(row: number, code: number, found: (id: number) => void): number {
    const next = this.delta[row + this.classOf[code]!]!;
    if (next >= 0) return next;
    this.report(-next - 1, found);
    return -next - 1;
  }

  private report(row: number, found: (id: number) => void): void {
    const out = this.outputs[row / this.classCount]!;
    for (let k = 0; k < out.length; k++) found(out[k]!);
  }
}
