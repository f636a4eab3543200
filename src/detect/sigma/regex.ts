/**
 * The `re` modifier (detect/sigma): Sigma regular expressions (a PCRE subset) compiled with the
 * gateway's byte-regex front end, so rules get the same defence against catastrophic
 * backtracking as the WAF: every pattern a DFA can decide runs on the linear-time lazy DFA
 * (gateway/waf/regex/lazy-dfa.ts), whatever the input. Patterns that need a backtracking engine
 * (look-arounds, back references, atomic groups) run on V8's irregexp over at most
 * MAX_BACKTRACKING_INPUT characters of the value, and only when they have no nested or
 * alternated repetition (`(a+)+`, `(a|ab)*`), the shapes whose backtracking is exponential: a
 * rule with such a pattern is refused at load time.
 * Sub-modifiers `i`, `m`, `s` set PCRE's caseless, multiline and dot-all flags; without them a
 * Sigma regex is case-sensitive, `^`/`$` anchor the whole value and `.` does not match newline.
 * `$` means the end of the value, as in JavaScript and RE2 (PCRE would also accept a final
 * newline before it; that one exception would keep every `$` pattern off the DFA).
 *
 * @example compileSigmaRegex('(?i)ipfs\\.io/.+@', {}).test('https://IPFS.io/x@y') // true
 */
import { emitJs } from '../../gateway/waf/regex/emit-js.js';
import { buildLazyDfa } from '../../gateway/waf/regex/lazy-dfa.js';
import { parsePcre } from '../../gateway/waf/regex/parse-pcre.js';
import type { RegexNode } from '../../gateway/waf/regex/ast.js';

/** Characters of a value a backtracking-only pattern may look at. */
export const MAX_BACKTRACKING_INPUT = 4096;

export interface SigmaRegexFlags {
  caseless?: boolean;
  multiline?: boolean;
  dotAll?: boolean;
}

export interface SigmaRegex {
  readonly engine: 'dfa' | 'backtracking';
  test(value: string): boolean;
}

// eslint-disable-next-line no-control-regex -- the ASCII range starts at NUL
const NON_ASCII = /[^\x00-\x7f]/;

/** The byte engines read one byte per char code: non-ASCII text is matched on its UTF-8 bytes. */
function asBytes(value: string): string {
  return NON_ASCII.test(value) ? Buffer.from(value, 'utf8').toString('latin1') : value;
}

/**
 * A non-ASCII character of the pattern becomes the group of its UTF-8 bytes, as the value is
 * matched on its UTF-8 bytes; inside a character class that cannot be said, so it is refused.
 */
function patternAsBytes(pattern: string): string {
  if (!NON_ASCII.test(pattern)) return pattern;
  let out = '';
  let inClass = false;
  for (let i = 0; i < pattern.length; i++) {
    const ch = pattern[i]!;
    if (ch === '\\') {
      out += ch + (pattern[i + 1] ?? '');
      i++;
      continue;
    }
    if (ch === '[') inClass = true;
    else if (ch === ']') inClass = false;
    const code = pattern.codePointAt(i)!;
    if (code < 0x80) {
      out += ch;
      continue;
    }
    if (inClass)
      throw new Error(
        `non-ASCII character '${String.fromCodePoint(code)}' in a character class is not supported`,
      );
    const bytes = [...Buffer.from(String.fromCodePoint(code), 'utf8')];
    out += `(?:${bytes.map((b) => `\\x${b.toString(16).padStart(2, '0')}`).join('')})`;
    if (code > 0xffff) i++;
  }
  return out;
}

/** Compiles a pattern; throws an Error naming the offset when PCRE would reject it. */
export function compileSigmaRegex(pattern: string, flags: SigmaRegexFlags): SigmaRegex {
  const parsed = parsePcre(patternAsBytes(pattern), {
    caseless: flags.caseless ?? false,
    multiline: flags.multiline ?? false,
    dotAll: flags.dotAll ?? false,
    extended: false,
  });
  parsed.root = strictEnd(parsed.root);
  const dfa = buildLazyDfa(parsed.root);
  if (dfa) return { engine: 'dfa', test: (value) => dfa.test(asBytes(value)) };
  const risky = exponentialShape(parsed.root, false);
  if (risky)
    throw new Error(`${risky}: this pattern needs a backtracking engine and could take exponential time`);
  const emitted = emitJs(parsed);
  const irregexp = new RegExp(emitted.source, emitted.flags);
  return {
    engine: 'backtracking',
    test: (value) => irregexp.test(asBytes(value).slice(0, MAX_BACKTRACKING_INPUT)),
  };
}

/** `$` without MULTILINE as the end of the value (see the header). */
function strictEnd(node: RegexNode): RegexNode {
  switch (node.type) {
    case 'assert':
      return node.kind === 'textEndNewline' ? { type: 'assert', kind: 'textEnd' } : node;
    case 'seq':
      return { type: 'seq', items: node.items.map(strictEnd) };
    case 'alt':
      return { type: 'alt', options: node.options.map(strictEnd) };
    case 'repeat':
    case 'group':
    case 'atomic':
    case 'look':
      return { ...node, node: strictEnd(node.node) };
    default:
      return node;
  }
}

/** Names the first repetition inside a repetition (or an alternation under one), or null. */
function exponentialShape(node: RegexNode, underRepeat: boolean): string | null {
  switch (node.type) {
    case 'repeat': {
      const repeats = node.max > 1;
      if (repeats && underRepeat) return 'nested repetition';
      return exponentialShape(node.node, underRepeat || repeats);
    }
    case 'alt':
      if (underRepeat) return 'alternation under a repetition';
      for (const option of node.options) {
        const found = exponentialShape(option, underRepeat);
        if (found) return found;
      }
      return null;
    case 'seq':
      for (const item of node.items) {
        const found = exponentialShape(item, underRepeat);
        if (found) return found;
      }
      return null;
    case 'group':
    case 'atomic':
    case 'look':
      return exponentialShape(node.node, underRepeat);
    default:
      return null;
  }
}
