/**
 * Sigma conditions (detect/sigma): `selection and not (filter_a or 1 of filter_b*)`, parsed into
 * a tree with Sigma's precedence (not binds tighter than and, and tighter than or; parentheses
 * override), then compiled into one Matcher over the rule's compiled selections.
 * Supported: and, or, not, ( ), `1 of X`, `all of X`, `N of X` where X is a name, a name with
 * `*` wildcards, or `them` (every selection whose name does not start with `_`).
 * The deprecated aggregation pipe (`| count() > 5`) is refused: say it as a correlation rule.
 *
 * @example parseCondition('sel and not 1 of filter_*') // { type: 'and', items: [...] }
 */
import { requirementOfAll, requirementOfAny } from './modifiers.js';
import type { Matcher, Requirement } from './modifiers.js';

export type ConditionNode =
  | { type: 'and'; items: ConditionNode[] }
  | { type: 'or'; items: ConditionNode[] }
  | { type: 'not'; item: ConditionNode }
  | { type: 'ref'; name: string }
  | { type: 'of'; quantifier: 'all' | number; pattern: string };

export class ConditionError extends Error {}

const TOKEN = /\s*(\(|\)|\||[^\s()|]+)/y;

function tokenize(text: string): string[] {
  const tokens: string[] = [];
  TOKEN.lastIndex = 0;
  while (TOKEN.lastIndex < text.length) {
    const at = TOKEN.lastIndex;
    const match = TOKEN.exec(text);
    if (!match) {
      if (text.slice(at).trim() === '') break;
      throw new ConditionError(`unexpected text at '${text.slice(at)}'`);
    }
    tokens.push(match[1]!);
  }
  return tokens;
}

const KEYWORDS = new Set(['and', 'or', 'not', 'of', '(', ')']);

/** Parses a condition; throws ConditionError with what is wrong. */
export function parseCondition(text: string): ConditionNode {
  const tokens = tokenize(text);
  if (tokens.includes('|'))
    throw new ConditionError('aggregations (`| count() ...`) are not supported; write a correlation rule');
  let pos = 0;
  const peek = (): string | undefined => tokens[pos]?.toLowerCase();
  const expect = (what: string): void => {
    if (peek() !== what)
      throw new ConditionError(
        `expected '${what}' ${pos < tokens.length ? `at '${tokens[pos]}'` : 'at the end'}`,
      );
    pos++;
  };
  const parseOr = (): ConditionNode => {
    const items = [parseAnd()];
    while (peek() === 'or') {
      pos++;
      items.push(parseAnd());
    }
    return items.length === 1 ? items[0]! : { type: 'or', items };
  };
  const parseAnd = (): ConditionNode => {
    const items = [parseNot()];
    while (peek() === 'and') {
      pos++;
      items.push(parseNot());
    }
    return items.length === 1 ? items[0]! : { type: 'and', items };
  };
  const parseNot = (): ConditionNode => {
    if (peek() === 'not') {
      pos++;
      return { type: 'not', item: parseNot() };
    }
    return parsePrimary();
  };
  const parsePrimary = (): ConditionNode => {
    const token = tokens[pos];
    if (token === undefined)
      throw new ConditionError('the condition ends where a selection name was expected');
    if (token === '(') {
      pos++;
      const inner = parseOr();
      expect(')');
      return inner;
    }
    const lower = token.toLowerCase();
    if (tokens[pos + 1]?.toLowerCase() === 'of') {
      const quantifier = lower === 'all' ? 'all' : lower === 'any' ? 1 : Number(lower);
      if (quantifier !== 'all' && !(Number.isInteger(quantifier) && quantifier >= 1)) {
        throw new ConditionError(`'${token} of' needs 1, all or a positive count`);
      }
      pos += 2;
      const pattern = tokens[pos];
      if (pattern === undefined || KEYWORDS.has(pattern.toLowerCase())) {
        throw new ConditionError(`'${token} of' needs a selection name, a pattern or 'them'`);
      }
      pos++;
      return { type: 'of', quantifier, pattern };
    }
    if (KEYWORDS.has(lower)) throw new ConditionError(`unexpected '${token}'`);
    pos++;
    return { type: 'ref', name: token };
  };
  if (tokens.length === 0) throw new ConditionError('the condition is empty');
  const root = parseOr();
  if (pos < tokens.length) throw new ConditionError(`unexpected '${tokens[pos]}'`);
  return root;
}

function nameMatcher(pattern: string): (name: string) => boolean {
  if (pattern.toLowerCase() === 'them') return (name) => !name.startsWith('_');
  if (!pattern.includes('*')) return (name) => name === pattern;
  const source = pattern
    .split('*')
    .map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
    .join('.*');
  const regex = new RegExp(`^${source}$`);
  return (name) => regex.test(name);
}

/** The selection names a condition uses, checked against the defined ones. */
export function checkConditionNames(node: ConditionNode, names: readonly string[]): void {
  switch (node.type) {
    case 'and':
    case 'or':
      node.items.forEach((item) => checkConditionNames(item, names));
      return;
    case 'not':
      checkConditionNames(node.item, names);
      return;
    case 'ref':
      if (!names.includes(node.name))
        throw new ConditionError(`the condition names '${node.name}', which is not defined`);
      return;
    case 'of': {
      const matching = names.filter(nameMatcher(node.pattern));
      if (matching.length === 0) throw new ConditionError(`'${node.pattern}' matches no selection`);
      if (typeof node.quantifier === 'number' && node.quantifier > matching.length) {
        throw new ConditionError(
          `'${node.quantifier} of ${node.pattern}' asks for more than the ${matching.length} selections`,
        );
      }
    }
  }
}

export interface CompiledSelection {
  match: Matcher;
  cost: number;
  /** Needles of which one must be present for this to hold (see Requirement). */
  requires: Requirement;
}

/** Compiles the tree; and/or evaluate their cheapest operands first (all operands are pure tests). */
export function compileCondition(
  node: ConditionNode,
  selections: ReadonlyMap<string, CompiledSelection>,
): CompiledSelection {
  // combine() below is shared with the engine's AND of a map's fields and OR of a list's maps
  switch (node.type) {
    case 'ref':
      return selections.get(node.name)!;
    case 'not': {
      const inner = compileCondition(node.item, selections);
      return { match: (view) => !inner.match(view), cost: inner.cost, requires: null };
    }
    case 'and':
    case 'or':
      return combine(
        node.type,
        node.items.map((item) => compileCondition(item, selections)),
      );
    case 'of': {
      const accept = nameMatcher(node.pattern);
      const chosen = [...selections.entries()]
        .filter(([name]) => accept(name))
        .map(([, selection]) => selection);
      if (node.quantifier === 'all') return combine('and', chosen);
      if (node.quantifier === 1) return combine('or', chosen);
      const needed = node.quantifier;
      const sorted = [...chosen].sort((a, b) => a.cost - b.cost);
      return {
        cost: sorted.reduce((sum, s) => sum + s.cost, 0),
        requires: requirementOfAny(sorted.map((s) => s.requires)),
        match: (view) => {
          let count = 0;
          for (const selection of sorted) if (selection.match(view) && ++count >= needed) return true;
          return false;
        },
      };
    }
  }
}

export function combine(kind: 'and' | 'or', parts: CompiledSelection[]): CompiledSelection {
  const sorted = [...parts].sort((a, b) => a.cost - b.cost);
  const cost = sorted.reduce((sum, s) => sum + s.cost, 0);
  if (sorted.length === 1) return sorted[0]!;
  const requirements = sorted.map((s) => s.requires);
  const requires = kind === 'and' ? requirementOfAll(requirements) : requirementOfAny(requirements);
  const matchers = sorted.map((s) => s.match);
  if (sorted.length === 2) {
    const [a, b] = matchers as [Matcher, Matcher];
    return {
      cost,
      requires,
      match: kind === 'and' ? (view) => a(view) && b(view) : (view) => a(view) || b(view),
    };
  }
  return {
    cost,
    requires,
    match:
      kind === 'and'
        ? (view) => {
            for (const m of matchers) if (!m(view)) return false;
            return true;
          }
        : (view) => {
            for (const m of matchers) if (m(view)) return true;
            return false;
          },
  };
}
