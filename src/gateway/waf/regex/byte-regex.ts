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

/** Compiles a PCRE pattern; throws PcreSyntaxError with an offset when the pattern is invalid. */
export function compileByteRegex(pattern: string, options: ByteRegexOptions = {}): ByteRegex {
  const parsed = parsePcre(pattern, { ...MODSECURITY_FLAGS, caseless: options.caseless ?? false });
  const emitted = emitJs(parsed);
  const irregexp = new RegExp(emitted.source, emitted.flags);
  const dfa: LazyDfa | null = options.backtrackingOnly ? null : buildLazyDfa(parsed.root);
  const reversed: LazyDfa | null = dfa ? buildLazyDfa(reverseNode(parsed.root)) : null;
  const sticky = new RegExp(emitted.source, emitted.flags + 'y');
  const groupMap = emitted.groupMap;
  const toGroups = (match: RegExpExecArray): Array<string | undefined> => {
    const groups: Array<string | undefined> = [];
    for (let group = 0; group <= parsed.groupCount; group++) groups.push(match[groupMap[group] ?? -1]);
    return groups;
  };
  const test = dfa
    ? (value: string): boolean => dfa.test(value)
    : (value: string): boolean => irregexp.test(value);
  return {
    pattern,
    jsSource: emitted.source,
    jsFlags: emitted.flags,
    engine: dfa ? 'dfa' : 'backtracking',
    groupCount: parsed.groupCount,
    test,
    exec(value: string) {
      if (!reversed || !dfa) {
        const match = irregexp.exec(value);
        return match ? toGroups(match) : null;
      }
      // The forward scan stops at the first match and most values do not match: only a value
      // known to match pays for the full reversed scan that finds the leftmost start.
      if (!dfa.test(value)) return null;
      const start = reversed.leftmostStartReversed(value);
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
