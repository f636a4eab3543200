/**
 * Byte regular expressions for the WAF (gateway/waf/regex): the one entry point operators use.
 * A PCRE pattern as CRS writes it is parsed with ModSecurity v3's flags (DOTALL | MULTILINE),
 * then run two ways: `test` on the linear-time lazy DFA whenever the pattern allows it (every
 * CRS 4.28 pattern does), so no input can make a match super-linear; `exec` (for rules with
 * `capture`) on V8's irregexp, which knows capture groups — anchored at the leftmost match
 * start that a reversed DFA finds in linear time, and within a bounded window, so no start
 * position is retried and the backtracking stays bounded.
 * See docs/waf-regex.md for the measurements behind this choice.
 *
 * @example
 * const re = compileByteRegex('(?i)\\bunion\\b.{1,100}?\\bselect\\b');
 * re.test('1 UNION ALL SELECT 2'); // true
 * re.exec('a=b')?.[0];             // undefined: no match
 */
import { emitJs } from './emit-js.js';
import { buildLazyDfa, reverseNode } from './lazy-dfa.js';
import type { LazyDfa } from './lazy-dfa.js';
import { MODSECURITY_FLAGS, parsePcre } from './parse-pcre.js';

export { PcreSyntaxError } from './parse-pcre.js';

/** Bytes after the match start irregexp may look at when it extracts captures. */
export const CAPTURE_WINDOW_BYTES = 4096;

export interface ByteRegex {
  /** The PCRE pattern as written. */
  readonly pattern: string;
  /** The translated JavaScript source and flags (for diagnostics and docs). */
  readonly jsSource: string;
  readonly jsFlags: string;
  /** `dfa` when `test` runs in linear time, `backtracking` when only irregexp can run it. */
  readonly engine: 'dfa' | 'backtracking';
  /** Number of capturing groups, PCRE numbering. */
  readonly groupCount: number;
  test(value: string): boolean;
  /** PCRE-numbered groups of the first match (index 0 the whole match), or null. */
  exec(value: string): Array<string | undefined> | null;
}

export interface ByteRegexOptions {
  /** Start in caseless mode, as `@rx` never does but `t:`-less data files may want. */
  caseless?: boolean;
  /** Disable the DFA (tests compare both engines). */
  backtrackingOnly?: boolean;
}

/**
 * Compiles a PCRE pattern; throws PcreSyntaxError with an offset when the pattern is invalid.
 * The automata are built on first use, from a fresh parse: most of a rule set's patterns never
 * run on benign traffic once the literal prefilter skipped them, and the syntax tree is not kept.
 */
export function compileByteRegex(pattern: string, options: ByteRegexOptions = {}): ByteRegex {
  const flags = { ...MODSECURITY_FLAGS, caseless: options.caseless ?? false };
  const parsed = parsePcre(pattern, flags);
  const emitted = emitJs(parsed);
  const groupCount = parsed.groupCount;
  const irregexp = new RegExp(emitted.source, emitted.flags);
  const sticky = new RegExp(emitted.source, emitted.flags + 'y');
  const groupMap = emitted.groupMap;
  // undefined: not built yet; null: the pattern is outside what a DFA decides.
  let dfa: LazyDfa | null | undefined = options.backtrackingOnly ? null : undefined;
  let reversed: LazyDfa | null | undefined;
  const forward = (): LazyDfa | null =>
    dfa === undefined ? (dfa = buildLazyDfa(parsePcre(pattern, flags).root)) : dfa;
  const backward = (): LazyDfa | null =>
    reversed === undefined
      ? (reversed = buildLazyDfa(reverseNode(parsePcre(pattern, flags).root)))
      : reversed;
  const toGroups = (match: RegExpExecArray): Array<string | undefined> => {
    const groups: Array<string | undefined> = [];
    for (let group = 0; group <= groupCount; group++) groups.push(match[groupMap[group] ?? -1]);
    return groups;
  };
  return {
    pattern,
    jsSource: emitted.source,
    jsFlags: emitted.flags,
    get engine() {
      return forward() ? 'dfa' : 'backtracking';
    },
    groupCount,
    test(value: string): boolean {
      const automaton = dfa === undefined ? forward() : dfa;
      return automaton ? automaton.test(value) : irregexp.test(value);
    },
    exec(value: string) {
      const automaton = forward();
      const reverse = automaton ? backward() : null;
      if (!automaton || !reverse) {
        const match = irregexp.exec(value);
        return match ? toGroups(match) : null;
      }
      // The forward scan stops at the first match and most values do not match: only a value
      // known to match pays for the full reversed scan that finds the leftmost start.
      if (!automaton.test(value)) return null;
      const start = reverse.leftmostStartReversed(value);
      if (start < 0) return null;
      // One byte of left context keeps ^ and \b right at the start; the window bounds the rest.
      const windowStart = Math.max(0, start - 1);
      const window = value.slice(windowStart, start + CAPTURE_WINDOW_BYTES);
      sticky.lastIndex = start - windowStart;
      const match = sticky.exec(window);
      // The DFA proved a match starts here; when it runs past the window, TX:0 is what fits.
      return match ? toGroups(match) : [value.slice(start, start + CAPTURE_WINDOW_BYTES)];
    },
  };
}
