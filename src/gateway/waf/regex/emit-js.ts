/**
 * JavaScript emitter (gateway/waf/regex): turns the byte-regex tree into source for V8's
 * irregexp, without the `u` flag so that every char code 0..255 is one byte. Every set is
 * written as explicit byte ranges (JavaScript's `\s` would add 0xA0; its `m` flag would treat
 * \r as a line end), `^`/`$` become look-arounds with PCRE's MULTILINE meaning, and atomic
 * groups and possessive quantifiers become the `(?=(X))\n` idiom, which shifts capture
 * numbers — `groupMap` maps each PCRE group to its JavaScript index.
 */
import { ByteSet, UNBOUNDED } from './ast.js';
import type { AssertionKind, ParsedRegex, RegexNode } from './ast.js';

export interface EmittedRegex {
  source: string;
  flags: string;
  /** `groupMap[n]` is the JavaScript group index of PCRE group n (index 0 is the whole match). */
  groupMap: number[];
}

const ALL = ByteSet.range(0, 255);
const DIGITS = ByteSet.range(0x30, 0x39);
const WORD = (() => {
  const set = ByteSet.range(0x30, 0x39);
  set.addRange(0x41, 0x5a);
  set.addRange(0x61, 0x7a);
  set.add(0x5f);
  return set;
})();

const ASSERTIONS: Record<AssertionKind, string> = {
  lineStart: '(?<![^\\n])',
  lineEnd: '(?![^\\n])',
  textStart: '^',
  textEnd: '$',
  textEndNewline: '(?=\\n?$)',
  wordBoundary: '\\b',
  notWordBoundary: '\\B',
};

function byteSource(byte: number): string {
  if ((byte >= 0x30 && byte <= 0x39) || (byte >= 0x41 && byte <= 0x5a) || (byte >= 0x61 && byte <= 0x7a)) {
    return String.fromCharCode(byte);
  }
  return '\\x' + byte.toString(16).padStart(2, '0');
}

function rangesSource(set: ByteSet): string {
  return set
    .ranges()
    .map(([from, to]) => (from === to ? byteSource(from) : `${byteSource(from)}-${byteSource(to)}`))
    .join('');
}

/** Latin-1 letter pairs JavaScript's `i` flag folds but PCRE without UTF does not. */
function closedUnderLatin1Folding(set: ByteSet): boolean {
  for (let upper = 0xc0; upper <= 0xde; upper++) {
    if (upper === 0xd7) continue;
    if (set.has(upper) !== set.has(upper + 0x20)) return false;
  }
  return true;
}

function collectSets(node: RegexNode, out: ByteSet[]): void {
  switch (node.type) {
    case 'set':
      out.push(node.set);
      return;
    case 'seq':
      for (const item of node.items) collectSets(item, out);
      return;
    case 'alt':
      for (const option of node.options) collectSets(option, out);
      return;
    case 'repeat':
    case 'group':
    case 'atomic':
    case 'look':
      collectSets(node.node, out);
      return;
    default:
      return;
  }
}

/** A letter and its other case, e.g. {s, S}: the shape `(?i)` gives every literal. */
function caseFoldedLetter(set: ByteSet): number | null {
  if (set.size() !== 2) return null;
  for (let b = 0x61; b <= 0x7a; b++) if (set.has(b) && set.has(b - 0x20)) return b;
  return null;
}

class JsEmitter {
  private jsGroups = 0;
  readonly groupMap: number[] = [0];

  constructor(private readonly caseInsensitive: boolean) {}

  set(set: ByteSet): string {
    if (set.equals(ALL)) return '[^]';
    if (set.equals(DIGITS)) return '\\d';
    if (set.equals(WORD)) return '\\w';
    if (set.equals(WORD.complement())) return '\\W';
    if (set.equals(DIGITS.complement())) return '\\D';
    if (this.caseInsensitive) {
      const letter = caseFoldedLetter(set);
      if (letter !== null) return String.fromCharCode(letter);
    }
    const size = set.size();
    if (size === 1) return byteSource(set.ranges()[0]![0]);
    if (size === 0) return '[]';
    return size > 128 ? `[^${rangesSource(set.complement())}]` : `[${rangesSource(set)}]`;
  }

  node(node: RegexNode): string {
    switch (node.type) {
      case 'set':
        return this.set(node.set);
      case 'seq':
        return node.items
          .map((item) => (item.type === 'alt' ? `(?:${this.node(item)})` : this.node(item)))
          .join('');
      case 'alt':
        return node.options.map((option) => this.node(option)).join('|');
      case 'group': {
        const index = ++this.jsGroups;
        if (node.capture !== null) this.groupMap[node.capture] = index;
        return node.name ? `(?<${node.name}>${this.node(node.node)})` : `(${this.node(node.node)})`;
      }
      case 'atomic':
        return this.atomic(() => this.node(node.node));
      case 'repeat':
        return this.repeat(node);
      case 'assert':
        return ASSERTIONS[node.kind];
      case 'look':
        return `(?${node.behind ? '<' : ''}${node.negated ? '!' : '='}${this.node(node.node)})`;
      case 'backref': {
        const index = this.groupMap[node.group];
        if (index === undefined)
          throw new Error(`back reference \\${node.group} to a later or missing group`);
        return `\\${index}`;
      }
    }
  }

  /** Emulates an atomic group: a look-ahead never backtracks into itself, the back reference consumes it. */
  private atomic(inner: () => string): string {
    const index = ++this.jsGroups;
    return `(?=(${inner()}))\\${index}`;
  }

  private repeat(node: Extract<RegexNode, { type: 'repeat' }>): string {
    const quantifier = (): string => {
      const { min, max } = node;
      let q: string;
      if (min === 0 && max === UNBOUNDED) q = '*';
      else if (min === 1 && max === UNBOUNDED) q = '+';
      else if (min === 0 && max === 1) q = '?';
      else if (max === UNBOUNDED) q = `{${min},}`;
      else if (min === max) q = `{${min}}`;
      else q = `{${min},${max}}`;
      return q + (node.greedy ? '' : '?');
    };
    const body = (): string => {
      const inner = node.node;
      const source = this.node(inner);
      const single =
        inner.type === 'set' || inner.type === 'group' || inner.type === 'look' || inner.type === 'backref';
      return (single || inner.type === 'atomic' ? source : `(?:${source})`) + quantifier();
    };
    return node.possessive ? this.atomic(body) : body();
  }
}

/**
 * Emits JavaScript source and flags for a parsed pattern. Uses the `i` flag only when every
 * set already is case-closed and no Latin-1 letter would be folded (PCRE folds ASCII only).
 */
export function emitJs(parsed: ParsedRegex): EmittedRegex {
  const sets: ByteSet[] = [];
  collectSets(parsed.root, sets);
  const caseInsensitive =
    sets.some((set) => caseFoldedLetter(set) !== null) &&
    sets.every((set) => set.foldAsciiCase().equals(set) && closedUnderLatin1Folding(set));
  const emitter = new JsEmitter(caseInsensitive);
  const source = emitter.node(parsed.root);
  return { source, flags: caseInsensitive ? 'i' : '', groupMap: emitter.groupMap };
}
