/**
 * Multi-needle search (detect/sigma): an Aho-Corasick automaton over every `contains` needle
 * that the rules look for in one field, compiled into a flat DFA table. One pass over a field's
 * value finds every needle present, whatever the number of rules and needles, so the cost per
 * event grows with the length of the values, not with the size of the rule set.
 * Characters that occur in no needle share one class that always returns to the start state.
 *
 * @example
 * const ac = new AhoCorasick([['union', 0], ['select', 1]]);
 * ac.scan('1 union select 2', (id) => found.add(id)); // 0, then 1
 */

export class AhoCorasick {
  private readonly classOf = new Uint16Array(65536);
  private readonly classCount: number;
  private readonly delta: Int32Array;
  /** Needle ids ending at each state (own and through suffix links), or null. */
  private readonly outputs: Array<Int32Array | null>;

  constructor(needles: ReadonlyArray<readonly [string, number]>) {
    let classes = 1;
    for (const [text] of needles) {
      for (let i = 0; i < text.length; i++) {
        const code = text.charCodeAt(i);
        if (this.classOf[code] === 0) this.classOf[code] = classes++;
      }
    }
    this.classCount = classes;
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
    this.delta = delta;
    this.outputs = outputs;
  }

  /** Calls `found` for every needle that occurs in `text` (possibly more than once per needle). */
  scan(text: string, found: (id: number) => void): void {
    const { classOf, delta, outputs, classCount } = this;
    let state = 0;
    for (let i = 0; i < text.length; i++) {
      state = delta[state * classCount + classOf[text.charCodeAt(i)]!]!;
      const out = outputs[state];
      if (out) for (let k = 0; k < out.length; k++) found(out[k]!);
    }
  }
}
