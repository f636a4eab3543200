/**
 * Value modifiers (detect/sigma): one field of a selection (`cs-uri-query|contains|all: [...]`)
 * compiled at load time into a test on an EventView slot. The registry below lists every
 * modifier we support; any other modifier is a load error for the rule, never ignored.
 *
 * Order of work, as in the Sigma specification: `windash` makes variants of each value,
 * `wide`/`utf16*` encode them, `base64`/`base64offset` encode again, then one comparison
 * (`contains`, `startswith`, `endswith`, `re`, `cidr`, `lt`..`gte`, `exists`, `fieldref`, or
 * equality) decides; `all` turns the value list's OR into AND; `cased` makes string comparisons
 * case-sensitive (they are case-insensitive by default). Values made by base64 are compared
 * case-sensitively: base64 text is.
 *
 * @example
 * const test = compileFieldTest('cs-uri-query', ['contains', 'all'], ['union', 'select']);
 * test.bind(slot, slotOf, needles) // (view) => boolean
 */
import { compileCidr } from './cidr.js';
import { base64Of, base64OffsetVariants, encodeText, windashVariants } from './encodings.js';
import type { TextEncoding } from './encodings.js';
import { compileSigmaRegex } from './regex.js';
import { anyText, bindSpec, isEmpty, requirementOfAll, stringSpec } from './string-match.js';
import type { BoundTest, Matcher, NeedleIndex, StringSpec } from './string-match.js';
import { parseWildcards } from './wildcard.js';
import type { StringMode, Token } from './wildcard.js';

export { requirementOfAll, requirementOfAny } from './string-match.js';
export type { BoundTest, Matcher, NeedleIndex, Requirement } from './string-match.js';

export type SigmaScalar = string | number | boolean | null;

/** Every supported modifier, alphabetically, with what it does (docs/sigma.md mirrors this). */
export const SUPPORTED_MODIFIERS: Record<string, string> = {
  all: 'every value of the list must match (AND instead of OR)',
  base64: 'the value, base64-encoded, is what to look for',
  base64offset: 'the value at any of the three offsets inside base64 text (use with contains)',
  cased: 'case-sensitive string comparison',
  cidr: 'the field is an IP address inside the network (IPv4 or IPv6)',
  contains: 'the value appears anywhere in the field',
  endswith: 'the field ends with the value',
  exists: 'the field is present (true) or absent (false)',
  fieldref: 'compare with the value of another field, named by the value',
  gt: 'numeric: field > value',
  gte: 'numeric: field >= value',
  i: 're: case-insensitive',
  lt: 'numeric: field < value',
  lte: 'numeric: field <= value',
  m: 're: ^ and $ match at line breaks',
  re: 'the field matches the regular expression (PCRE subset, linear-time engine)',
  s: 're: . matches line breaks',
  startswith: 'the field starts with the value',
  utf16: 'UTF-16 with byte-order mark before base64',
  utf16be: 'UTF-16 big-endian before base64',
  utf16le: 'UTF-16 little-endian before base64',
  wide: 'alias of utf16le',
  windash: 'any dash Windows accepts for a flag: - / and three Unicode dashes',
};

const COMPARISONS = new Set([
  'contains',
  'startswith',
  'endswith',
  're',
  'cidr',
  'exists',
  'lt',
  'lte',
  'gt',
  'gte',
]);
const ENCODINGS: Record<string, TextEncoding> = {
  wide: 'utf16le',
  utf16le: 'utf16le',
  utf16be: 'utf16be',
  utf16: 'utf16',
};

/** A field test before it knows its slot: `bind` is called once the engine has numbered the fields. */
export interface FieldTest {
  field: string;
  /** Other fields the test reads (fieldref). */
  refs: string[];
  /** A rough relative cost, to evaluate cheap tests first. */
  cost: number;
  bind(slot: number, slotOf: (field: string) => number, needles: NeedleIndex): BoundTest;
}

export class ModifierError extends Error {}

function fail(reason: string): never {
  throw new ModifierError(reason);
}

function scalarText(value: SigmaScalar): string {
  return value === null ? '' : String(value);
}

interface Plan {
  mode: string;
  all: boolean;
  cased: boolean;
  windash: boolean;
  encoding: TextEncoding | null;
  base64: 'base64' | 'base64offset' | null;
  reFlags: { caseless: boolean; multiline: boolean; dotAll: boolean };
  fieldref: boolean;
}

function plan(modifiers: string[]): Plan {
  const result: Plan = {
    mode: 'equals',
    all: false,
    cased: false,
    windash: false,
    encoding: null,
    base64: null,
    reFlags: { caseless: false, multiline: false, dotAll: false },
    fieldref: false,
  };
  const reSubs: string[] = [];
  for (const modifier of modifiers) {
    if (!(modifier in SUPPORTED_MODIFIERS)) fail(`unsupported modifier '${modifier}'`);
    if (COMPARISONS.has(modifier)) {
      if (result.mode !== 'equals') fail(`modifiers '${result.mode}' and '${modifier}' cannot be combined`);
      result.mode = modifier;
    } else if (modifier === 'all') result.all = true;
    else if (modifier === 'cased') result.cased = true;
    else if (modifier === 'windash') result.windash = true;
    else if (modifier === 'fieldref') result.fieldref = true;
    else if (modifier in ENCODINGS) result.encoding = ENCODINGS[modifier]!;
    else if (modifier === 'base64' || modifier === 'base64offset') {
      if (result.base64) fail(`modifiers '${result.base64}' and '${modifier}' cannot be combined`);
      result.base64 = modifier;
    } else reSubs.push(modifier);
  }
  if (reSubs.length > 0 && result.mode !== 're') fail(`modifier '${reSubs[0]}' is only valid after 're'`);
  result.reFlags = {
    caseless: reSubs.includes('i'),
    multiline: reSubs.includes('m'),
    dotAll: reSubs.includes('s'),
  };
  if (result.encoding && !result.base64)
    fail('a text encoding modifier (wide, utf16*) needs base64 or base64offset after it');
  if (result.base64 === 'base64offset' && result.mode !== 'contains') fail("'base64offset' needs 'contains'");
  if (result.base64 && !['equals', 'contains', 'startswith', 'endswith'].includes(result.mode)) {
    fail(`'${result.base64}' cannot be combined with '${result.mode}'`);
  }
  if (result.fieldref && !['equals', 'contains', 'startswith', 'endswith'].includes(result.mode)) {
    fail(`'fieldref' cannot be combined with '${result.mode}'`);
  }
  if (result.cased && ['re', 'cidr', 'exists', 'lt', 'lte', 'gt', 'gte'].includes(result.mode)) {
    fail(`'cased' has no meaning with '${result.mode}'`);
  }
  return result;
}

/** Compiles one `field|modifiers: values` entry; throws ModifierError with the reason. */
export function compileFieldTest(field: string, modifiers: string[], values: SigmaScalar[]): FieldTest {
  if (values.length === 0) fail(`field '${field}' has an empty value list`);
  const p = plan(modifiers);
  const where = field === '' ? 'keywords' : `field '${field}'`;
  switch (p.mode) {
    case 'exists':
      return existsTest(field, values, where);
    case 'lt':
    case 'lte':
    case 'gt':
    case 'gte':
      return numericTest(field, p.mode, values, p.all, where);
    case 'cidr':
      return textTest(field, values, p.all, 5, (value) => {
        if (typeof value !== 'string')
          fail(`${where}: cidr needs a string network, got ${JSON.stringify(value)}`);
        try {
          return compileCidr(value);
        } catch (error) {
          return fail(`${where}: ${(error as Error).message}`);
        }
      });
    case 're':
      return textTest(field, values, p.all, 20, (value) => {
        if (typeof value !== 'string')
          fail(`${where}: re needs a string pattern, got ${JSON.stringify(value)}`);
        try {
          const regex = compileSigmaRegex(value, p.reFlags);
          return (text) => regex.test(text);
        } catch (error) {
          return fail(`${where}: invalid regular expression '${value}': ${(error as Error).message}`);
        }
      });
  }
  if (p.fieldref) return fieldrefTest(field, values, p, where);
  return stringFieldTest(field, values, p, where);
}

function existsTest(field: string, values: SigmaScalar[], where: string): FieldTest {
  if (values.length !== 1 || typeof values[0] !== 'boolean') fail(`${where}: exists needs true or false`);
  const wanted = values[0];
  return {
    field,
    refs: [],
    cost: 1,
    bind: (slot) => ({ match: (view) => !isEmpty(view.text(slot)) === wanted, requires: null }),
  };
}

function numericTest(
  field: string,
  mode: string,
  values: SigmaScalar[],
  all: boolean,
  where: string,
): FieldTest {
  const limits = values.map((value) => {
    const n =
      typeof value === 'number'
        ? value
        : typeof value === 'string' && value.trim() !== ''
          ? Number(value)
          : NaN;
    if (!Number.isFinite(n)) fail(`${where}: ${mode} needs a number, got ${JSON.stringify(value)}`);
    return n;
  });
  const compare =
    mode === 'lt'
      ? (a: number, b: number) => a < b
      : mode === 'lte'
        ? (a: number, b: number) => a <= b
        : mode === 'gt'
          ? (a: number, b: number) => a > b
          : (a: number, b: number) => a >= b;
  const one = (text: string, limit: number): boolean => {
    if (text.trim() === '') return false;
    const n = Number(text);
    return Number.isFinite(n) && compare(n, limit);
  };
  return {
    field,
    refs: [],
    cost: 1,
    bind: (slot) => ({
      requires: null,
      match: (view) => {
        const value = view.text(slot);
        return all
          ? limits.every((limit) => anyText(value, (text) => one(text, limit)))
          : limits.some((limit) => anyText(value, (text) => one(text, limit)));
      },
    }),
  };
}

/** Tests on the text as written (re, cidr), one compiled test per value. */
function textTest(
  field: string,
  values: SigmaScalar[],
  all: boolean,
  cost: number,
  compile: (value: SigmaScalar) => (text: string) => boolean,
): FieldTest {
  const tests = values.map(compile);
  const test = tests.length === 1 ? tests[0]! : (text: string) => tests.some((t) => t(text));
  return {
    field,
    refs: [],
    cost: cost * values.length,
    bind: (slot) => ({
      requires: null,
      match:
        all && tests.length > 1
          ? (view) => {
              const value = view.text(slot);
              return tests.every((t) => anyText(value, t));
            }
          : (view) => anyText(view.text(slot), test),
    }),
  };
}

/** The string forms a value is looked for in, after windash and the encodings. */
function variantsOf(value: SigmaScalar, p: Plan, where: string): Token[][] {
  const text = scalarText(value);
  let spellings = [text];
  try {
    if (p.windash) spellings = windashVariants(text);
  } catch (error) {
    fail(`${where}: ${(error as Error).message}`);
  }
  if (!p.base64) return spellings.map(parseWildcards);
  return spellings.flatMap((spelling) => {
    const tokens = parseWildcards(spelling);
    if (tokens.some((t) => t.kind !== 'literal'))
      fail(`${where}: wildcards cannot be base64-encoded in '${text}'`);
    const literal = tokens.length === 0 ? '' : (tokens[0] as { text: string }).text;
    const bytes = encodeText(literal, p.encoding ?? 'utf8');
    const encoded = p.base64 === 'base64' ? [base64Of(bytes)] : base64OffsetVariants(bytes);
    // base64 text may contain neither * nor ?; parse it as a literal
    return encoded.map((e): Token[] => (e === '' ? [] : [{ kind: 'literal', text: e }]));
  });
}

function stringFieldTest(field: string, values: SigmaScalar[], p: Plan, where: string): FieldTest {
  const mode = p.mode as StringMode;
  const cased = p.cased || p.base64 !== null;
  const acceptsNull = values.includes(null);
  if (acceptsNull && p.mode !== 'equals') fail(`${where}: null cannot be combined with '${p.mode}'`);
  if (acceptsNull && p.all && values.length > 1) fail(`${where}: null cannot be combined with 'all'`);
  const specs = values
    .filter((v) => v !== null)
    .map((value) => stringSpec(variantsOf(value, p, where), mode, cased));
  const cost = specs.reduce((sum, spec) => sum + spec.cost, 0) + (field === '' ? 4 : 0);
  if (specs.length === 0) {
    return {
      field,
      refs: [],
      cost: 1,
      bind: (slot) => ({ match: (view) => isEmpty(view.text(slot)), requires: null }),
    };
  }
  if (p.all && specs.length > 1) {
    return {
      field,
      refs: [],
      cost,
      bind: (slot, _slotOf, needles) => {
        const bound = specs.map((spec) => bindSpec(spec, slot, cased, needles));
        const tests = bound.map((b) => b.match);
        return {
          requires: requirementOfAll(bound.map((b) => b.requires)),
          match: (view) => {
            for (let i = 0; i < tests.length; i++) if (!tests[i]!(view)) return false;
            return true;
          },
        };
      },
    };
  }
  // OR over the values: one spec with every variant of every value
  const merged: StringSpec = {
    equals: new Set(specs.flatMap((spec) => [...spec.equals])),
    starts: specs.flatMap((spec) => spec.starts),
    ends: specs.flatMap((spec) => spec.ends),
    contains: specs.flatMap((spec) => spec.contains),
    globs: specs.flatMap((spec) => spec.globs),
    cost,
  };
  return {
    field,
    refs: [],
    cost,
    bind: (slot, _slotOf, needles) => {
      const bound = bindSpec(merged, slot, cased, needles);
      const test = bound.match;
      return acceptsNull
        ? { match: (view) => isEmpty(view.text(slot)) || test(view), requires: null }
        : bound;
    },
  };
}

function fieldrefTest(field: string, values: SigmaScalar[], p: Plan, where: string): FieldTest {
  const others = values.map((value) => {
    if (typeof value !== 'string' || value === '') fail(`${where}: fieldref needs field names`);
    return value;
  });
  const compare = (a: string, b: string): boolean =>
    p.mode === 'contains'
      ? a.includes(b)
      : p.mode === 'startswith'
        ? a.startsWith(b)
        : p.mode === 'endswith'
          ? a.endsWith(b)
          : a === b;
  return {
    field,
    refs: others,
    cost: 3 * others.length,
    bind: (slot, slotOf) => {
      const otherSlots = others.map(slotOf);
      const match: Matcher = (view) => {
        const value = p.cased ? view.text(slot) : view.lower(slot);
        const check = (otherSlot: number): boolean => {
          const other = p.cased ? view.text(otherSlot) : view.lower(otherSlot);
          return typeof other === 'string' && anyText(value, (text) => compare(text, other));
        };
        return p.all ? otherSlots.every(check) : otherSlots.some(check);
      };
      return { match, requires: null };
    },
  };
}
