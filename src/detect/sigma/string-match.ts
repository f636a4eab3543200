/**
 * String comparisons of Sigma values (detect/sigma), bound to a field: equality as a set lookup,
 * `contains` needles answered by the field's one Aho-Corasick scan (event-view.ts), prefixes,
 * suffixes and globs compared only when the scan found their literal. Each bound test also
 * states its Requirement: needles of which one must be in the event for it to hold, which lets
 * the engine skip a rule without running it.
 */
import { ANCHOR_END, ANCHOR_START } from './aho-corasick.js';
import type { EventView, FieldText } from './event-view.js';
import { compileGlob, plainForm, withMode } from './wildcard.js';
import type { StringMode, Token } from './wildcard.js';

export type Matcher = (view: EventView) => boolean;

/**
 * Needles of which at least one must be in the event for a test to hold (`key` is
 * slot * 2 + cased, as NeedleIndex numbers them), or null when the test has no such
 * requirement (regex, cidr, numbers, null). The engine skips a rule whose requirement is unmet
 * without running it: on benign traffic that is almost every rule.
 */
export type Requirement = ReadonlyArray<{ key: number; id: number; length: number }> | null;

export interface BoundTest {
  match: Matcher;
  requires: Requirement;
}

/**
 * The most selective requirement of an AND (any one must be met), null when none has one.
 * Short needles are common (`get` is in every GET request), so the requirement whose shortest
 * needle is longest wins; then the one with fewer needles.
 */
export function requirementOfAll(parts: readonly Requirement[]): Requirement {
  const shortest = (r: NonNullable<Requirement>): number => Math.min(...r.map((n) => n.length));
  let best: Requirement = null;
  for (const part of parts) {
    if (!part || part.length === 0) continue;
    if (
      !best ||
      shortest(part) > shortest(best) ||
      (shortest(part) === shortest(best) && part.length < best.length)
    )
      best = part;
  }
  return best;
}

/** The union of an OR's requirements, null as soon as one alternative has none. */
export function requirementOfAny(parts: readonly Requirement[]): Requirement {
  const out: Array<{ key: number; id: number; length: number }> = [];
  for (const part of parts) {
    if (!part) return null;
    out.push(...part);
  }
  return out;
}

/** Any element of a multi-valued field satisfies the test. */
export function anyText(value: FieldText, test: (text: string) => boolean): boolean {
  if (value === undefined) return false;
  if (typeof value === 'string') return test(value);
  for (const item of value) if (test(item)) return true;
  return false;
}

export function isEmpty(value: FieldText): boolean {
  return value === undefined || value === '' || (typeof value !== 'string' && value.length === 0);
}

/**
 * One value's string comparison over its variants (OR), split by kind: equality is a set lookup,
 * `contains` needles are found by the field's shared Aho-Corasick scan (see NeedleIndex), and
 * the rest are direct string calls.
 */
export interface StringSpec {
  equals: Set<string>;
  starts: string[];
  ends: string[];
  contains: string[];
  globs: Array<{ test: (s: string) => boolean; literal: string }>;
  cost: number;
}

export function stringSpec(tokenLists: Token[][], mode: StringMode, cased: boolean): StringSpec {
  const spec: StringSpec = { equals: new Set(), starts: [], ends: [], contains: [], globs: [], cost: 0 };
  const fold = (text: string): string => (cased ? text : text.toLowerCase());
  for (const tokens of tokenLists) {
    const anchored = withMode(tokens, mode);
    const plain = plainForm(anchored);
    if (!plain) {
      const folded = anchored.map((t): Token =>
        t.kind === 'literal' ? { kind: 'literal', text: fold(t.text) } : t,
      );
      spec.globs.push({ test: compileGlob(folded), literal: longestLiteral(folded) });
    } else if (plain.mode === 'equals') spec.equals.add(fold(plain.text));
    else if (plain.mode === 'startswith' || plain.text === '') spec.starts.push(fold(plain.text));
    else if (plain.mode === 'endswith') spec.ends.push(fold(plain.text));
    else spec.contains.push(fold(plain.text));
  }
  spec.cost =
    (spec.equals.size > 0 ? 1 : 0) +
    spec.starts.length +
    spec.ends.length +
    (spec.contains.length > 0 ? 2 : 0) +
    spec.globs.length * 8;
  return spec;
}

/** Where `contains` needles are registered at bind time; the engine builds one scan per field. */
export interface NeedleIndex {
  /** The id of a needle in a field (same needle, same field, same case mode: same id). */
  id(slot: number, cased: boolean, text: string): number;
}

/** The longest literal run of a glob: every value the glob matches contains it. */
function longestLiteral(tokens: Token[]): string {
  let best = '';
  for (const token of tokens)
    if (token.kind === 'literal' && token.text.length > best.length) best = token.text;
  return best;
}

/**
 * The test of one value (all of its variants) against a field, bound to the field's slot.
 * Every prefix, suffix, equality value and glob literal is also registered as a needle: a value
 * can only start with, end with, equal or glob-match what it contains, so the field's one scan
 * rules most of them out and the exact comparison runs only for candidates. Prefixes, suffixes
 * and equality values are anchored needles (see ANCHOR_START): `mozilla/5.0` as an equality
 * value is found in the value `Mozilla/5.0` only, not in every browser's user agent.
 */
export function bindSpec(spec: StringSpec, slot: number, cased: boolean, needles: NeedleIndex): BoundTest {
  const key = slot * 2 + (cased ? 1 : 0);
  const ids = Int32Array.from(spec.contains.map((text) => needles.id(slot, cased, text)));
  const guard = (text: string, needle = text): number => (text === '' ? -1 : needles.id(slot, cased, needle));
  const { equals } = spec;
  const starts = spec.starts.map((text) => ({ text, guard: guard(text, ANCHOR_START + text) }));
  const ends = spec.ends.map((text) => ({ text, guard: guard(text, text + ANCHOR_END) }));
  const globs = spec.globs.map(({ test, literal }) => ({ test, guard: guard(literal) }));
  // a value equal to X holds X anchored at both ends: equality values are needles of the requirement too
  const equalIds = [...equals].map((text) => guard(text, ANCHOR_START + text + ANCHOR_END));
  const texts = [
    ...spec.contains,
    ...[...equals].map((text) => ANCHOR_START + text + ANCHOR_END),
    ...spec.starts.map((text) => ANCHOR_START + text),
    ...spec.ends.map((text) => text + ANCHOR_END),
    ...spec.globs.map((g) => g.literal),
  ];
  const allIds = [
    ...ids,
    ...equalIds,
    ...starts.map((x) => x.guard),
    ...ends.map((x) => x.guard),
    ...globs.map((x) => x.guard),
  ];
  const requires: Requirement = allIds.includes(-1)
    ? null
    : allIds.map((id, i) => ({ key, id, length: texts[i]!.length }));
  const unguarded = [...starts, ...ends, ...globs].some((x) => x.guard < 0);
  const read = (view: EventView): FieldText => (cased ? view.text(slot) : view.lower(slot));
  const anyContained = (view: EventView): boolean => {
    if (!view.foundAny(slot, cased)) return false;
    for (let i = 0; i < ids.length; i++) if (view.hasNeedle(slot, cased, ids[i]!)) return true;
    return false;
  };
  if (equals.size === 0 && starts.length === 0 && ends.length === 0 && globs.length === 0) {
    return { match: anyContained, requires };
  }
  const fuzzy = starts.length + ends.length + globs.length > 0;
  const match: Matcher = (view) => {
    if (ids.length > 0 && anyContained(view)) return true;
    if (equals.size > 0 && anyEqual(read(view), equals)) return true;
    if (!fuzzy) return false;
    // every prefix, suffix and glob literal is also a needle: nothing found, nothing to compare
    if (!unguarded && !view.foundAny(slot, cased)) return false;
    for (let i = 0; i < starts.length; i++) {
      const { text, guard: id } = starts[i]!;
      if ((id < 0 || view.hasNeedle(slot, cased, id)) && anyText(read(view), (s) => s.startsWith(text)))
        return true;
    }
    for (let i = 0; i < ends.length; i++) {
      const { text, guard: id } = ends[i]!;
      if ((id < 0 || view.hasNeedle(slot, cased, id)) && anyText(read(view), (s) => s.endsWith(text)))
        return true;
    }
    for (let i = 0; i < globs.length; i++) {
      const { test, guard: id } = globs[i]!;
      if ((id < 0 || view.hasNeedle(slot, cased, id)) && anyText(read(view), test)) return true;
    }
    return false;
  };
  return { match, requires };
}

function anyEqual(value: FieldText, equals: ReadonlySet<string>): boolean {
  if (value === undefined) return false;
  if (typeof value === 'string') return equals.has(value);
  for (const item of value) if (equals.has(item)) return true;
  return false;
}
