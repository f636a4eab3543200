/**
 * Required literals of a byte regex (gateway/waf/regex, load time): a set of strings such that
 * every input the pattern matches contains at least one of them, ASCII case folded. The engine
 * scans each value once for the literals of every rule (one Aho-Corasick pass, see
 * literal-index.ts) and runs a rule's regex only when one of its literals is present: most CRS
 * patterns need a keyword (`select`, `<script`, `/etc/`) that benign values lack, so most regex
 * scans are skipped. The same idea as RE2's and Hyperscan's prefilters, kept deliberately simple.
 *
 * Soundness is the one rule: when in doubt the analysis answers null (no prefilter). Both sides
 * are folded to lower case, which only widens what passes (`SELECT` in the input passes a
 * case-sensitive `select`), and zero-width parts (anchors, look-arounds) are read as the empty
 * string, which can only drop a condition, never add one.
 *
 * @example
 * requiredLiterals(parsePcre('(?i)\\bunion\\b.{1,100}?\\bselect\\b', flags).root) // ['select']
 */
import { ByteSet, type RegexNode } from './ast.js';

/** Exact sets bigger than this stop being multiplied out in a sequence. */
const MAX_EXACT = 64;
/** Longer exact strings stop growing (a required literal that long filters as well as a shorter one). */
const MAX_LITERAL_BYTES = 24;
/** A set with more distinct case-folded bytes than this is treated as "any byte". */
const MAX_SET_BYTES = 10;
/** Condition sets bigger than this are not worth keeping. */
const MAX_REQUIRED = 4096;
/**
 * A literal weaker than this occurs in too many benign values to be worth a prefilter. Strength is
 * the length, plus 2 when the literal holds a byte other than a letter, digit or space: `on` is
 * everywhere, `<` or `${` is rare in what shoppers type.
 */
export const MIN_USEFUL_STRENGTH = 3;

interface Info {
  /** Every string the node can match, folded, when that set is small; null otherwise. */
  exact: Set<string> | null;
  /** A condition: every match contains one of these; null when nothing is known. */
  required: Set<string> | null;
}

const lowerAscii = (code: number): number => (code >= 0x41 && code <= 0x5a ? code + 0x20 : code);

const EMPTY_ONLY: Info = { exact: new Set(['']), required: null };
const UNKNOWN: Info = { exact: null, required: null };

function setInfo(set: ByteSet): Info {
  const folded = new Set<number>();
  for (let byte = 0; byte < 256; byte++) {
    if (!set.has(byte)) continue;
    folded.add(lowerAscii(byte));
    if (folded.size > MAX_SET_BYTES) return UNKNOWN;
  }
  if (folded.size === 0) return UNKNOWN;
  return { exact: new Set([...folded].map((code) => String.fromCharCode(code))), required: null };
}

const COMMON_TEXT = /^[a-z0-9 ]*$/;

export function literalStrength(literal: string): number {
  return literal.length + (literal.length > 0 && !COMMON_TEXT.test(literal) ? 2 : 0);
}

/** How well a condition filters: its weakest literal counts most, then fewer literals. */
function score(required: Set<string> | null): number {
  if (required === null || required.size === 0) return -1;
  let weakest = Number.POSITIVE_INFINITY;
  for (const literal of required) weakest = Math.min(weakest, literalStrength(literal));
  if (weakest === 0) return -1;
  return Math.min(weakest, 8) * 10_000 - Math.min(required.size, 9_999);
}

function better(a: Set<string> | null, b: Set<string> | null): Set<string> | null {
  return score(b) > score(a) ? b : a;
}

/** The strongest condition a node alone gives: its exact set when it has one, else its own condition. */
function conditionOf(info: Info): Set<string> | null {
  return better(info.required, info.exact);
}

function cross(left: Set<string>, right: Set<string>): Set<string> | null {
  if (left.size * right.size > MAX_EXACT) return null;
  const out = new Set<string>();
  for (const a of left) for (const b of right) out.add((a + b).slice(0, MAX_LITERAL_BYTES));
  return out;
}

function seqInfo(items: RegexNode[]): Info {
  /** The exact strings of the current run of items that all have exact sets. */
  let run: Set<string> | null = new Set(['']);
  let allExact = true;
  let required: Set<string> | null = null;
  for (const item of items) {
    const info = analyse(item);
    required = better(required, info.required);
    if (run !== null && info.exact !== null) {
      const joined = cross(run, info.exact);
      if (joined !== null) {
        run = joined;
        continue;
      }
    }
    // The run ends here: what it spelled is a condition of its own; a new run starts.
    if (run !== null) required = better(required, run);
    allExact = false;
    run = info.exact;
  }
  if (run !== null) required = better(required, run);
  // A string cut at MAX_LITERAL_BYTES still holds as a condition, but not as the whole match.
  const complete = run !== null && [...run].every((literal) => literal.length < MAX_LITERAL_BYTES);
  return { exact: allExact && complete ? run : null, required };
}

function altInfo(options: RegexNode[]): Info {
  const infos = options.map(analyse);
  if (infos.every((info) => info.exact !== null)) {
    const union = new Set<string>();
    for (const info of infos) for (const literal of info.exact as Set<string>) union.add(literal);
    if (union.size <= MAX_EXACT) return { exact: union, required: null };
    return { exact: null, required: union.size <= MAX_REQUIRED ? union : null };
  }
  const union = new Set<string>();
  for (const info of infos) {
    const condition = conditionOf(info);
    if (condition === null || score(condition) < 0) return UNKNOWN;
    for (const literal of condition) union.add(literal);
    if (union.size > MAX_REQUIRED) return UNKNOWN;
  }
  return { exact: null, required: union };
}

function repeatInfo(node: Extract<RegexNode, { type: 'repeat' }>): Info {
  const inner = analyse(node.node);
  if (node.min === 0) {
    if (node.max === 1 && inner.exact !== null && inner.exact.size < MAX_EXACT)
      return { exact: new Set(['', ...inner.exact]), required: null };
    return node.max === 0 ? EMPTY_ONLY : UNKNOWN;
  }
  if (node.min === 1 && node.max === 1) return inner;
  // At least one copy: whatever one copy needs, the whole repetition needs.
  return { exact: null, required: conditionOf(inner) };
}

function analyse(node: RegexNode): Info {
  switch (node.type) {
    case 'set':
      return setInfo(node.set);
    case 'seq':
      return seqInfo(node.items);
    case 'alt':
      return altInfo(node.options);
    case 'repeat':
      return repeatInfo(node);
    case 'group':
    case 'atomic':
      return analyse(node.node);
    case 'assert':
    case 'look':
      return EMPTY_ONLY;
    case 'backref':
      return UNKNOWN;
  }
}

/**
 * Folded literals one of which every match contains, or null when no condition worth checking
 * is known (a literal weaker than MIN_USEFUL_STRENGTH, or no condition at all).
 */
export function requiredLiterals(root: RegexNode): string[] | null {
  const plain = plainRequiredLiterals(root);
  if (plain !== null) return plain;
  const conditional = conditionalLiterals(root);
  return conditional === null ? null : [...conditional.trigger, ...conditional.literals].sort();
}

/** The unconditional part alone: what requiredLiterals answered before conditional prefilters. */
export function plainRequiredLiterals(root: RegexNode): string[] | null {
  const condition = conditionOf(analyse(root));
  if (condition === null || condition.size === 0) return null;
  for (const literal of condition) if (literalStrength(literal) < MIN_USEFUL_STRENGTH) return null;
  return [...condition].sort();
}

/**
 * A conditional prefilter, for patterns whose literals are broken up by optional gaps (CRS
 * 9322xx: `b["')\[\x5c]*(?:...\$...)?\x5c?u...`): every match either holds one of the
 * `trigger` bytes or one of the `literals`. Reasoning: a value without any trigger byte can only
 * be matched by the pattern with those bytes taken out of every set ("reduced"); there a set
 * left empty cannot match, so a sequence holding it cannot, an optional or starred element
 * around it matches only the empty string, and what is left spells literals the usual analysis
 * finds. The triggers are the first bytes of the optional elements that can only start with a
 * rare byte (not a letter, digit or white space). Back-references and look-arounds
 * give no answer (null).
 */
export interface ConditionalLiterals {
  /** Single bytes (as one-character strings), sorted. */
  trigger: string[];
  /** Folded literals, sorted: one of them is in every trigger-free match. */
  literals: string[];
}

/** The empty sequence: matches only the empty string. */
const EMPTY_NODE: RegexNode = { type: 'seq', items: [] };
/** What reduce() answers for a part it cannot reason about. */
const GIVE_UP = Symbol('give up');
/** More trigger bytes than this let too many values through to be worth a prefilter. */
const MAX_TRIGGER_BYTES = 12;
/** Bytes never used as triggers: ordinary text holds them everywhere. */
const ORDINARY = /^[A-Za-z0-9\t\n\v\f\r ]$/;

function withoutBytes(set: ByteSet, bytes: ByteSet): ByteSet {
  const out = new ByteSet();
  for (let i = 0; i < 8; i++) out.words[i] = set.words[i]! & ~bytes.words[i]!;
  return out;
}

/** The pattern over trigger-free input: null when it cannot match such input at all. */
function reduce(node: RegexNode, trigger: ByteSet): RegexNode | null | typeof GIVE_UP {
  switch (node.type) {
    case 'set': {
      const set = withoutBytes(node.set, trigger);
      return set.size() === 0 ? null : { type: 'set', set };
    }
    case 'seq': {
      const items: RegexNode[] = [];
      for (const item of node.items) {
        const reduced = reduce(item, trigger);
        if (reduced === null || reduced === GIVE_UP) return reduced;
        items.push(reduced);
      }
      return { type: 'seq', items };
    }
    case 'alt': {
      const options: RegexNode[] = [];
      for (const option of node.options) {
        const reduced = reduce(option, trigger);
        if (reduced === GIVE_UP) return GIVE_UP;
        if (reduced !== null) options.push(reduced);
      }
      if (options.length === 0) return null;
      return options.length === 1 ? options[0]! : { type: 'alt', options };
    }
    case 'repeat': {
      const inner = reduce(node.node, trigger);
      if (inner === GIVE_UP) return GIVE_UP;
      if (inner === null) return node.min === 0 ? EMPTY_NODE : null;
      return { ...node, node: inner };
    }
    case 'group':
    case 'atomic': {
      // An atomic group only removes ways to match, so its plain reading is a sound superset.
      const inner = reduce(node.node, trigger);
      return inner === null || inner === GIVE_UP ? inner : { ...node, node: inner };
    }
    case 'assert':
      return node;
    case 'look':
    case 'backref':
      return GIVE_UP;
  }
}

/** Bytes that can start a non-empty match of the node (a superset is fine: it only guides the choice). */
function firstBytes(node: RegexNode, into: ByteSet): boolean {
  // Returns whether the node can match the empty string, adding its first bytes to `into`.
  switch (node.type) {
    case 'set':
      into.addSet(node.set);
      return false;
    case 'seq':
      for (const item of node.items) if (!firstBytes(item, into)) return false;
      return true;
    case 'alt': {
      let empty = false;
      for (const option of node.options) if (firstBytes(option, into)) empty = true;
      return empty;
    }
    case 'repeat':
      return firstBytes(node.node, into) || node.min === 0;
    case 'group':
    case 'atomic':
      return firstBytes(node.node, into);
    case 'assert':
    case 'look':
    case 'backref':
      return true;
  }
}

/** Trigger bytes tried for removal, the commonest in form values first. */
const COMMON_TRIGGER_BYTES = [...'-_.,/:@+='].map((char) => char.charCodeAt(0));

const isOrdinary = (byte: number): boolean => ORDINARY.test(String.fromCharCode(byte));

/**
 * The first bytes of the optional (min 0) elements that can only start with rare bytes, so
 * that taking those bytes out empties them; inside such an element nothing more is needed.
 */
function optionalStarts(node: RegexNode, into: ByteSet): void {
  switch (node.type) {
    case 'seq':
      for (const item of node.items) optionalStarts(item, into);
      return;
    case 'alt':
      for (const option of node.options) optionalStarts(option, into);
      return;
    case 'repeat': {
      if (node.min === 0) {
        const first = new ByteSet();
        firstBytes(node.node, first);
        let rare = first.size() > 0;
        for (let byte = 0; byte < 256 && rare; byte++) if (first.has(byte) && isOrdinary(byte)) rare = false;
        if (rare) {
          into.addSet(first);
          return;
        }
      }
      optionalStarts(node.node, into);
      return;
    }
    case 'group':
    case 'atomic':
    case 'look':
      optionalStarts(node.node, into);
      return;
    case 'set':
    case 'assert':
    case 'backref':
      return;
  }
}

function reducedLiterals(root: RegexNode, trigger: ByteSet): string[] | null | typeof GIVE_UP {
  const reduced = reduce(root, trigger);
  // A pattern no trigger-free input can match needs a trigger byte: the literals are empty.
  if (reduced === null) return [];
  if (reduced === GIVE_UP) return GIVE_UP;
  return plainRequiredLiterals(reduced);
}

/** The conditional prefilter of a pattern (see ConditionalLiterals), or null when none is sound or useful. */
export function conditionalLiterals(root: RegexNode): ConditionalLiterals | null {
  const starts = new ByteSet();
  optionalStarts(root, starts);
  const bytes: string[] = [];
  for (let byte = 0; byte < 256; byte++) if (starts.has(byte)) bytes.push(String.fromCharCode(byte));
  if (bytes.length === 0 || bytes.length > MAX_TRIGGER_BYTES) return null;
  let literals = reducedLiterals(root, starts);
  if (literals === null || literals === GIVE_UP) return null;
  // Bytes common in form values make a poor trigger: keep one only when the literals need it.
  for (const byte of COMMON_TRIGGER_BYTES) {
    if (!starts.has(byte)) continue;
    const fewer = withoutBytes(starts, ByteSet.of(byte));
    const without = reducedLiterals(root, fewer);
    if (without === null || without === GIVE_UP) continue;
    starts.words.set(fewer.words);
    literals = without;
  }
  const trigger: string[] = [];
  for (let byte = 0; byte < 256; byte++) if (starts.has(byte)) trigger.push(String.fromCharCode(byte));
  return { trigger, literals };
}
